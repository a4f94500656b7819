package scenarios

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

var wantBundled = []string{"api-5xx-storm", "burst-10k", "default", "grpc-nacks", "happy-path",
	"hourly-trickle", "http-5xx-storm", "rate-limit", "receiver-outage-recovery",
	"receiver-timeouts", "subscriber-limit-warning", "suspended-app", "token-scopes"}

func TestBundledNames(t *testing.T) {
	t.Parallel()
	if got := BundledNames(); !reflect.DeepEqual(got, wantBundled) {
		t.Errorf("got %v", got)
	}
}

func TestEveryBundledScenarioValidates(t *testing.T) {
	t.Parallel()
	for _, name := range BundledNames() {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			src, err := BundledSource(name)
			if err != nil {
				t.Fatal(err)
			}
			if name != "default" && !strings.HasPrefix(string(src), "# "+name+" — tests ") {
				t.Errorf("must begin with a comment saying what it tests: %q", strings.SplitN(string(src), "\n", 2)[0])
			}
			s, err := LoadWith(name, Options{Env: receiverEnv})
			if err != nil {
				t.Fatalf("%v", err)
			}
			if s.Source != "bundled/"+name+".yaml" || s.Name == "" {
				t.Errorf("source %q name %q", s.Source, s.Name)
			}
			if name == "default" {
				return
			}
			if s.Duration == 0 {
				t.Errorf("no duration: pwemu run would not know when to stop")
			}
			if reflect.DeepEqual(s.Expect, Expect{}) {
				t.Errorf("no expect block")
			}
			if len(s.Accounts) == 0 {
				t.Errorf("no account")
			}
			for _, st := range s.Streams {
				want := "http://127.0.0.1:9000"
				if st.Transport == TransportGRPC {
					want = "127.0.0.1:50051"
				}
				if st.Endpoint != want {
					t.Errorf("stream %s endpoint %q, want %q (from RECEIVER_URL / RECEIVER_GRPC)", st.Name, st.Endpoint, want)
				}
			}
		})
	}
}

func TestBundledReceiverScenariosNeedReceiverURL(t *testing.T) {
	t.Parallel()
	noEnv := func(string) (string, bool) { return "", false }
	for _, name := range BundledNames() {
		src, _ := BundledSource(name)
		_, err := LoadWith(name, Options{Env: noEnv})
		if !strings.Contains(string(src), "${RECEIVER_URL}") {
			if err != nil {
				t.Errorf("%s needs no receiver but failed: %v", name, err)
			}
			continue
		}
		var errs *Errors
		if !errors.As(err, &errs) || len(errs.List) != 1 || errs.List[0].Path != "streams[0].endpoint" ||
			!strings.HasPrefix(errs.List[0].Msg, "${RECEIVER_URL} is not set: set the environment variable or pass pwemu run --receiver URL") {
			t.Errorf("%s without RECEIVER_URL: %v", name, err)
		}
	}
}

func TestGRPCScenarioTakesReceiverGRPC(t *testing.T) {
	t.Parallel()
	env := func(name string) (string, bool) {
		if name == "RECEIVER_GRPC" {
			return "grpcs://receiver.test:8443", true
		}
		return "", false
	}
	s, err := LoadWith("grpc-nacks", Options{Env: env})
	if err != nil || s.Streams[0].Endpoint != "grpcs://receiver.test:8443" {
		t.Fatalf("%v", err)
	}
}

func TestDefaultScenario(t *testing.T) {
	t.Parallel()
	s := Default()
	if s.Name != "default" || len(s.Accounts) != 1 || len(s.Streams) != 0 {
		t.Fatalf("%+v", s)
	}
	a := s.Accounts[0]
	if a.ID != "demo" || !reflect.DeepEqual(a.Tokens[0], Token{Value: "demo-server-token", Kind: "server"}) || !reflect.DeepEqual(a.Tokens[1], Token{Value: "demo-device-token", Kind: "device"}) ||
		a.Applications[0].Code != "DEMO1-00001" || a.Applications[1].Code != "DEMO2-00002" ||
		!reflect.DeepEqual(a.Groups[0].Applications, []string{"DEMO1-00001", "DEMO2-00002"}) {
		t.Errorf("%+v", a)
	}
}

func TestUnknownBundledName(t *testing.T) {
	t.Parallel()
	_, err := Bundled("storm")
	if err == nil || err.Error() != `scenario "storm": no bundled scenario of that name (have: `+strings.Join(wantBundled, ", ")+")" {
		t.Errorf("%v", err)
	}
	if _, err := BundledSource("../scenario.schema"); err == nil {
		t.Errorf("a path outside bundled/ was served")
	}
}
