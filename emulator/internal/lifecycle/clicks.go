package lifecycle

// Clicked is the fourth stage, on email only: a recipient who opened the email clicks
// one of its links (Email Link Clicked), one delay after the opening.
const Clicked = Opened + 1

// chooseClicks picks the Email openers of f that click a link (the clicked share of
// them, rounded as the other shares) and the link each clicks, drawn from the seed;
// a message without links has no clicks. e.mu must be held.
func (e *Engine) chooseClicks(f *flight) {
	if e.clicked == 0 || len(f.msg.Links) == 0 {
		return
	}
	var openers []int
	for _, i := range f.opened {
		if f.msg.Targets[i].Platform == "Email" {
			openers = append(openers, i)
		}
	}
	f.clicked = e.choose(openers, e.clicked)
	f.links = make(map[int]string, len(f.clicked))
	for _, i := range f.clicked {
		f.links[i] = f.msg.Links[e.rng.IntN(len(f.msg.Links))]
	}
}
