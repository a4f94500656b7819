package api

import (
	"github.com/pwemu/pwemu/emulator/catalog"
	"github.com/pwemu/pwemu/emulator/internal/lifecycle"
	"github.com/pwemu/pwemu/emulator/internal/state"
)

// What devices report becomes events: pushStat (opened) and messageDeliveryEvent
// (delivered) name the push by the hash it carried; in-app actions and inbox reads
// name the message. Each event carries the message's code, id, campaign and
// application, and the device's hwid, user id and platform, stamped with the
// emulator time, and goes to the streams and the ledger like every other event.

// report publishes an event about a push, once per stage: a stage the device (or
// the lifecycle) already reported is not reported again.
func (s *Server) reportStage(app, hash string, stage int) {
	p, found := s.st.PushByHash(app, hash)
	if !found {
		return // a push pwemu did not send, or forgot: counted only
	}
	claim := state.StageDelivered
	if stage == lifecycle.Opened {
		claim = state.StageOpened
	}
	if !s.st.ClaimPush(p.MessageCode, p.HWID, claim) {
		return
	}
	if name := lifecycle.Stages(p.Platform)[stage]; name != "" {
		s.publish(s.pushEvent(name, p))
	}
}

// pushEvent is an event named name about push p, now.
func (s *Server) pushEvent(name string, p state.Push) catalog.Event {
	user := p.UserID
	if user == "" {
		user = p.HWID // as the lifecycle does: Pushwoosh uses the hwid for devices without a user
	}
	e := catalog.Event{EventName: name, MessageCode: p.MessageCode, MessageID: p.MessageID,
		CampaignID: p.CampaignID, Platform: p.Platform, Payload: p.Payload, ApplicationCode: p.Application,
		HWID: p.HWID, UserID: user, Timestamp: s.clk.Now().Unix(), LiveActivityID: p.LiveActivityID}
	if e.LiveActivityID != "" {
		e.Payload = ""
	}
	return e
}

func (s *Server) publish(evs ...catalog.Event) {
	if s.onEvents != nil && len(evs) > 0 {
		s.onEvents(evs)
	}
}

func (s *Server) pushStat(c *call) reply {
	s.st.Count(c.app().Code, "push_stat") //nolint:errcheck
	if c.req.Hash != "" {
		s.reportStage(c.app().Code, c.req.Hash, lifecycle.Opened)
	}
	return ok(nil)
}

func (s *Server) messageDeliveryEvent(c *call) reply {
	s.st.Count(c.app().Code, "delivery") //nolint:errcheck
	if c.req.Hash != "" {
		s.reportStage(c.app().Code, c.req.Hash, lifecycle.Delivered)
	}
	return ok(nil)
}

// Pushes lists what pwemu pushed to a device (by hwid), oldest first: the control
// API's /_pwemu/pushes, from which a test or SDK learns the hash to report back.
func (s *Server) Pushes(hwid string) []state.Push { return s.st.Pushes(hwid) }

// ClaimStage tells the lifecycle whether it may still play a stage of a message on
// a device (see lifecycle.Engine.Claim).
func (s *Server) ClaimStage(code, hwid string, stage int) bool {
	claim := state.StageDelivered
	if stage == lifecycle.Opened {
		claim = state.StageOpened
	}
	return s.st.ClaimPush(code, hwid, claim)
}

// deviceEvent is an event named name about a device without a push (an in-app
// message shown, say), now.
func (s *Server) deviceEvent(name, app string, d state.Device, code, payload string) catalog.Event {
	user := d.UserID
	if user == "" {
		user = d.HWID
	}
	return catalog.Event{EventName: name, MessageCode: code, Platform: catalog.PlatformName(d.Type),
		Payload: payload, ApplicationCode: app, HWID: d.HWID, UserID: user, Timestamp: s.clk.Now().Unix()}
}
