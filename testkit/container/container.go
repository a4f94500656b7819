// Package container is the testcontainers-go module for pwemu: it starts the pwemu
// image, waits until /_pwemu/health answers, and hands out the API URL and a typed
// control-API client. It is a Go module of its own, so that users of the in-process
// testkit do not depend on Docker's client.
//
//	ctr := container.Start(t, container.WithScenario("testdata/storm.yaml"),
//		container.WithEnv(map[string]string{"RECEIVER_URL": container.HostURL(rec.URL())}))
//	ctr.Client.Advance(ctx, time.Hour)
//
// A receiver running in the test process is reachable from the container as
// host.docker.internal (mapped to the host gateway); HostURL rewrites a loopback URL
// to it. Such a receiver must listen on an address the bridge reaches (0.0.0.0).
package container

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/testcontainers/testcontainers-go"
	"github.com/testcontainers/testcontainers-go/wait"

	"github.com/pwemu/pwemu/testkit"
)

// Port is the port pwemu listens on inside the image.
const Port = "8080/tcp"

// HostGateway is the name under which the container reaches the host.
const HostGateway = "host.docker.internal"

// scenarioPath is where WithScenario and WithScenarioYAML put the scenario.
const scenarioPath = "/etc/pwemu/scenario.yaml"

// DefaultImage is the image Start runs unless WithImage says otherwise: the tag
// `make image` builds.
const DefaultImage = "pwemu:dev"

// RequireDockerEnv names the variable that turns Start's skip into a failure when
// Docker is not usable (CI sets it).
const RequireDockerEnv = "PWEMU_REQUIRE_DOCKER"

// Container is a running, healthy pwemu container.
type Container struct {
	testcontainers.Container
	// URL is the base URL of the fake Pushwoosh API as the host sees it.
	URL string
	// Client drives the container's control API (/_pwemu/).
	Client *testkit.Client
}

// Start runs the pwemu image (DefaultImage, or WithImage's) for a test and returns it
// healthy, with its control client. When Docker is not usable it skips the test, or
// fails it where RequireDockerEnv is set. The container is terminated when the test
// ends. Errors that come from a known Docker set-up say which TESTCONTAINERS_*
// variable to set.
func Start(t testing.TB, opts ...testcontainers.ContainerCustomizer) *Container {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := dockerUsable(ctx); err != nil {
		if os.Getenv(RequireDockerEnv) != "" {
			t.Fatalf("pwemu container: Docker is required (%s is set) but not usable: %v", RequireDockerEnv, err)
		}
		t.Skipf("pwemu container: Docker is not usable (%v); set %s to fail instead of skipping", err, RequireDockerEnv)
	}
	ctr, err := Run(ctx, DefaultImage, opts...)
	if ctr != nil {
		t.Cleanup(func() {
			if err := testcontainers.TerminateContainer(ctr); err != nil {
				t.Errorf("terminate pwemu container: %v", err)
			}
		})
	}
	if err != nil {
		t.Fatal(err)
	}
	return ctr
}

// WithImage runs img instead of DefaultImage (for Start; Run takes the image itself).
func WithImage(img string) testcontainers.CustomizeRequestOption {
	return testcontainers.WithImage(img)
}

func dockerUsable(ctx context.Context) error {
	p, err := testcontainers.NewDockerProvider()
	if err != nil {
		return err
	}
	defer p.Close()
	return p.Health(ctx)
}

// Run starts the pwemu image img and waits until it is healthy.
func Run(ctx context.Context, img string, opts ...testcontainers.ContainerCustomizer) (*Container, error) {
	moduleOpts := []testcontainers.ContainerCustomizer{
		testcontainers.WithExposedPorts(Port),
		testcontainers.WithWaitStrategy(wait.ForHTTP("/_pwemu/health").WithPort(Port).
			WithStartupTimeout(30 * time.Second).WithPollInterval(50 * time.Millisecond)),
		testcontainers.WithHostConfigModifier(func(hc *container.HostConfig) {
			hc.ExtraHosts = append(hc.ExtraHosts, HostGateway+":host-gateway")
		}),
	}
	ctr, err := testcontainers.Run(ctx, img, append(moduleOpts, opts...)...)
	var c *Container
	if ctr != nil {
		c = &Container{Container: ctr}
	}
	if err != nil {
		return c, explain(fmt.Errorf("run pwemu %s: %w", img, err))
	}
	if c.URL, err = c.APIURL(ctx); err != nil {
		return c, err
	}
	c.Client = testkit.NewClient(c.URL, nil)
	return c, nil
}

// explain adds to err what to set when it comes from a known Docker set-up.
func explain(err error) error {
	msg := err.Error()
	switch {
	case strings.Contains(msg, "reaper"):
		// testcontainers starts its reaper (testcontainers/ryuk) first; where that image
		// cannot be pulled, nothing starts.
		return fmt.Errorf("%w\n(the reaper container could not start: where its image cannot be pulled, set TESTCONTAINERS_RYUK_DISABLED=true)", err)
	case strings.Contains(msg, "No such image") || strings.Contains(msg, "pull access denied"):
		return fmt.Errorf("%w\n(build the image first: make image)", err)
	case errors.Is(err, context.DeadlineExceeded) && os.Getenv("TESTCONTAINERS_HOST_OVERRIDE") == "":
		// testcontainers that believes it runs in a container dials mapped ports on a
		// gateway address it guesses; with a local daemon they answer on loopback.
		return fmt.Errorf("%w\n(pwemu was not reached in time: with a local Docker daemon, set TESTCONTAINERS_HOST_OVERRIDE=127.0.0.1)", err)
	}
	return err
}

// WithScenario plays a scenario file from the host.
func WithScenario(path string) testcontainers.CustomizeRequestOption {
	return func(req *testcontainers.GenericContainerRequest) error {
		req.Files = append(req.Files, testcontainers.ContainerFile{HostFilePath: path,
			ContainerFilePath: scenarioPath, FileMode: 0o644})
		return setEnv(req, "PWEMU_SCENARIO", scenarioPath)
	}
}

// WithScenarioYAML plays a scenario given as YAML text.
func WithScenarioYAML(yaml string) testcontainers.CustomizeRequestOption {
	return func(req *testcontainers.GenericContainerRequest) error {
		req.Files = append(req.Files, testcontainers.ContainerFile{Reader: strings.NewReader(yaml),
			ContainerFilePath: scenarioPath, FileMode: 0o644})
		return setEnv(req, "PWEMU_SCENARIO", scenarioPath)
	}
}

// WithBundledScenario plays a bundled scenario by name.
func WithBundledScenario(name string) testcontainers.CustomizeRequestOption {
	return func(req *testcontainers.GenericContainerRequest) error {
		return setEnv(req, "PWEMU_SCENARIO", name)
	}
}

// WithClock sets the clock: "real", "manual" or a speed such as "3600x".
func WithClock(clock string) testcontainers.CustomizeRequestOption {
	return func(req *testcontainers.GenericContainerRequest) error {
		return setEnv(req, "PWEMU_CLOCK", clock)
	}
}

// WithSeed overrides the scenario's seed.
func WithSeed(seed int64) testcontainers.CustomizeRequestOption {
	return func(req *testcontainers.GenericContainerRequest) error {
		return setEnv(req, "PWEMU_SEED", fmt.Sprint(seed))
	}
}

// WithEnv sets environment variables: PWEMU_* flags, or the ${VAR}s of a scenario
// such as RECEIVER_URL.
func WithEnv(env map[string]string) testcontainers.CustomizeRequestOption {
	return testcontainers.WithEnv(env)
}

func setEnv(req *testcontainers.GenericContainerRequest, k, v string) error {
	if req.Env == nil {
		req.Env = map[string]string{}
	}
	req.Env[k] = v
	return nil
}

// APIURL is the base URL of the fake Pushwoosh API as the host sees it.
func (c *Container) APIURL(ctx context.Context) (string, error) {
	endpoint, err := c.PortEndpoint(ctx, Port, "http")
	if err != nil {
		return "", fmt.Errorf("pwemu API URL: %w", err)
	}
	return endpoint, nil
}

// ControlClient is a control-API client for the container.
func (c *Container) ControlClient(ctx context.Context) (*testkit.Client, error) {
	u, err := c.APIURL(ctx)
	if err != nil {
		return nil, err
	}
	return testkit.NewClient(u, nil), nil
}

// HostURL rewrites a URL on the host's loopback (127.0.0.1, localhost, ::1, 0.0.0.0)
// so that the container reaches it: http://127.0.0.1:9000/hook becomes
// http://host.docker.internal:9000/hook. Other URLs come back unchanged; so does a bare
// host:port, rewritten the same way.
func HostURL(raw string) string {
	if !strings.Contains(raw, "://") {
		host, port, err := net.SplitHostPort(raw)
		if err == nil && isLocal(host) {
			return net.JoinHostPort(HostGateway, port)
		}
		return raw
	}
	u, err := url.Parse(raw)
	if err != nil || !isLocal(u.Hostname()) {
		return raw
	}
	if port := u.Port(); port != "" {
		u.Host = net.JoinHostPort(HostGateway, port)
	} else {
		u.Host = HostGateway
	}
	return u.String()
}

func isLocal(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && (ip.IsLoopback() || ip.IsUnspecified())
}
