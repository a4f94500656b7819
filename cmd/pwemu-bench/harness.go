package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/pwemu/pwemu/emulator/catalog"
)

// config is the harness's command line.
type config struct {
	pairs         int
	only          map[string]bool
	short         bool
	cpuprofile    string
	duration      time.Duration // measured time of an API load run
	conns         int
	senderEvents  int64
	hoursEvents   int64
	fanoutDevices int64
	fanoutPairs   int
	keep          bool
}

// figureNames are the figures in the order they run; -only picks among them.
var figureNames = []string{"api", "register", "http", "grpc", "hours", "fanout", "start", "testkit"}

func parseConfig(args []string, out io.Writer) (config, error) {
	fs := flag.NewFlagSet("pwemu-bench", flag.ContinueOnError)
	fs.SetOutput(out)
	var c config
	var only string
	fs.IntVar(&c.pairs, "pairs", 5, "pairs of fresh pwemu and bare processes per figure")
	fs.StringVar(&only, "only", "", "comma-separated figures to run (default all): "+strings.Join(figureNames, ","))
	fs.BoolVar(&c.short, "short", false, "small loads for a smoke run (figures not meaningful)")
	fs.StringVar(&c.cpuprofile, "cpuprofile", "", "directory to write a CPU profile of every pwemu process to (figures then include the profiler's cost)")
	fs.DurationVar(&c.duration, "duration", 0, "measured time of each API load run (default 5s, 1s with -short)")
	fs.IntVar(&c.conns, "conns", 16, "connections of the API load generator")
	fs.Int64Var(&c.senderEvents, "sender-events", 0, "events per sender run (default 200000, 5000 with -short)")
	fs.Int64Var(&c.hoursEvents, "hours-events", 0, "events in the 24 h run (default 1000000, 20000 with -short)")
	fs.Int64Var(&c.fanoutDevices, "fanout-devices", 0, "devices of the fan-out app (default 1000000, 2000 with -short)")
	fs.IntVar(&c.fanoutPairs, "fanout-pairs", 3, "pairs of the fan-out figure, at most -pairs (each registers -fanout-devices in a fresh pwemu: minutes at 1M)")
	fs.BoolVar(&c.keep, "keep", false, "keep the work directory (binaries, scenarios, recordings)")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if c.pairs < 1 || c.conns < 1 {
		return c, fmt.Errorf("-pairs and -conns must be at least 1")
	}
	c.only = map[string]bool{}
	for name := range strings.SplitSeq(only, ",") {
		if name = strings.TrimSpace(name); name == "" {
			continue
		}
		if !slices.Contains(figureNames, name) {
			return c, fmt.Errorf("-only: unknown figure %q (figures: %s)", name, strings.Join(figureNames, ","))
		}
		c.only[name] = true
	}
	def := func(v *int64, full, short int64) {
		if *v == 0 {
			*v = full
			if c.short {
				*v = short
			}
		}
	}
	def(&c.senderEvents, 200_000, 5_000)
	def(&c.hoursEvents, 1_000_000, 20_000)
	def(&c.fanoutDevices, 1_000_000, 2_000)
	if c.duration == 0 {
		c.duration = 5 * time.Second
		if c.short {
			c.duration = time.Second
		}
	}
	return c, nil
}

// harness holds the built binaries and the processes it started.
type harness struct {
	config
	root       string // module root
	tmp        string // work directory
	self       string // this binary, for the roles
	pwemu      string
	barehealth string
	taskset    string // path of taskset, or "" where it does not exist
	out        io.Writer

	bodies string // recorded HTTP batch bodies, for the bare loop
	events string // recorded gRPC events, for the bare client

	mu    sync.Mutex
	procs map[*proc]struct{}

	results []*result
}

// runHarness runs the figures asked for and prints the table.
func runHarness(args []string, out io.Writer) error {
	c, err := parseConfig(args, out)
	if err != nil {
		return err
	}
	h := &harness{config: c, out: out, procs: map[*proc]struct{}{}}
	if err := h.setup(); err != nil {
		return err
	}
	defer h.cleanup()
	start := time.Now()
	var failed []string
	for _, name := range figureNames {
		if len(h.only) > 0 && !h.only[name] {
			continue
		}
		fmt.Fprintf(out, "== %s\n", name)
		if err := h.figure(name); err != nil {
			fmt.Fprintf(out, "   %s failed: %v\n", name, err)
			failed = append(failed, name)
		}
		h.stopAll()
	}
	h.printTable(time.Since(start))
	if len(failed) > 0 {
		return fmt.Errorf("figures failed: %s", strings.Join(failed, ", "))
	}
	return nil
}

func (h *harness) figure(name string) error {
	switch name {
	case "api":
		return h.api(catalog.CreateMessage.Method)
	case "register":
		return h.api(catalog.RegisterDevice.Method)
	case "http":
		return h.httpSender()
	case "grpc":
		return h.grpcSender()
	case "hours":
		return h.hours()
	case "fanout":
		return h.fanout()
	case "start":
		return h.startup()
	case "testkit":
		return h.testkitStart()
	}
	return fmt.Errorf("unknown figure %q", name)
}

// setup finds the module root, makes the work directory and builds the binaries.
func (h *harness) setup() error {
	gomod, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return fmt.Errorf("go env GOMOD: %w", err)
	}
	h.root = filepath.Dir(strings.TrimSpace(string(gomod)))
	if h.root == "." || h.root == "" {
		return fmt.Errorf("run pwemu-bench inside the pwemu module")
	}
	if h.tmp, err = os.MkdirTemp("", "pwemu-bench-"); err != nil {
		return err
	}
	if h.self, err = os.Executable(); err != nil {
		return err
	}
	if p, err := exec.LookPath("taskset"); err == nil {
		h.taskset = p
	}
	if h.cpuprofile != "" {
		if h.cpuprofile, err = filepath.Abs(h.cpuprofile); err != nil {
			return err
		}
		if err := os.MkdirAll(h.cpuprofile, 0o755); err != nil {
			return err
		}
	}
	h.pwemu = filepath.Join(h.tmp, "pwemu")
	h.barehealth = filepath.Join(h.tmp, "barehealth")
	build := [][]string{
		{"go", "build", "-o", h.barehealth, "./cmd/pwemu-bench/internal/barehealth"},
	}
	if h.cpuprofile != "" {
		overlay, err := h.profileOverlay()
		if err != nil {
			return err
		}
		build = append(build, []string{"go", "build", "-overlay", overlay, "-o", h.pwemu, "./cmd/pwemu"})
	} else {
		build = append(build, []string{"go", "build", "-o", h.pwemu, "./cmd/pwemu"})
	}
	for _, argv := range build {
		cmd := exec.Command(argv[0], argv[1:]...)
		cmd.Dir = h.root
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("%s: %w\n%s", strings.Join(argv, " "), err, out)
		}
	}
	pin := "not pinned (no taskset)"
	if h.taskset != "" {
		pin = fmt.Sprintf("servers and senders on core %d, load generators and receivers on core %d (taskset)", serverCore, loadCore)
	}
	fmt.Fprintf(h.out, "pwemu-bench: %d pair(s) a figure, %s, %d CPU(s), %s/%s, %s\n", h.pairs, pin, runtime.NumCPU(), runtime.GOOS, runtime.GOARCH, runtime.Version())
	if h.short {
		fmt.Fprintln(h.out, "pwemu-bench: -short: small loads, the figures are a smoke test, not measurements")
	}
	return nil
}

func (h *harness) cleanup() {
	h.stopAll()
	if h.keep {
		fmt.Fprintf(h.out, "pwemu-bench: work directory kept: %s\n", h.tmp)
		return
	}
	_ = os.RemoveAll(h.tmp)
}

// profileOverlay writes a go build -overlay that makes pwemu write a CPU profile to
// $PWEMU_BENCH_CPUPROFILE, without touching its sources: main.go's os.Exit(execute(…))
// becomes os.Exit(benchProfileStop(execute(…))), and one file starts the profile.
func (h *harness) profileOverlay() (string, error) {
	mainPath := filepath.Join(h.root, "cmd", "pwemu", "main.go")
	src, err := os.ReadFile(mainPath)
	if err != nil {
		return "", err
	}
	re := regexp.MustCompile(`os\.Exit\((execute\(.*\))\)`)
	if !re.Match(src) {
		return "", fmt.Errorf("-cpuprofile: %s no longer calls os.Exit(execute(…)); the profile overlay needs updating", mainPath)
	}
	patched := re.ReplaceAll(src, []byte("os.Exit(benchProfileStop($1))"))
	const profileGo = `package main

import (
	"os"
	"runtime/pprof"
)

var benchProfile *os.File

func init() {
	path := os.Getenv("PWEMU_BENCH_CPUPROFILE")
	if path == "" {
		return
	}
	f, err := os.Create(path)
	if err != nil {
		return
	}
	if pprof.StartCPUProfile(f) != nil {
		f.Close()
		return
	}
	benchProfile = f
}

func benchProfileStop(code int) int {
	if benchProfile != nil {
		pprof.StopCPUProfile()
		benchProfile.Close()
	}
	return code
}
`
	mainCopy := filepath.Join(h.tmp, "overlay-main.go")
	profCopy := filepath.Join(h.tmp, "overlay-profile.go")
	if err := os.WriteFile(mainCopy, patched, 0o644); err != nil {
		return "", err
	}
	if err := os.WriteFile(profCopy, []byte(profileGo), 0o644); err != nil {
		return "", err
	}
	overlay, _ := json.Marshal(map[string]map[string]string{"Replace": {
		mainPath: mainCopy,
		filepath.Join(h.root, "cmd", "pwemu", "zz_benchprofile.go"): profCopy,
	}})
	path := filepath.Join(h.tmp, "overlay.json")
	return path, os.WriteFile(path, overlay, 0o644)
}

// pwemuEnv is the environment of a pwemu process: its profile file when profiling.
func (h *harness) pwemuEnv(figure string, pair int, extra ...string) []string {
	if h.cpuprofile != "" {
		extra = append(extra, "PWEMU_BENCH_CPUPROFILE="+filepath.Join(h.cpuprofile, fmt.Sprintf("%s-%d.pprof", figure, pair)))
	}
	return extra
}

// writeFile writes a work file and returns its path.
func (h *harness) writeFile(name, content string) (string, error) {
	p := filepath.Join(h.tmp, name)
	return p, os.WriteFile(p, []byte(content), 0o644)
}
