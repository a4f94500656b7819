// Package container is the testcontainers-go module for pwemu: it starts the pwemu
// image, waits until /_pwemu/health answers, and hands out the API URL and a typed
// control-API client.
//
//	ctr, err := container.Run(ctx, "pwemu:dev", container.WithScenario("testdata/storm.yaml"),
//		container.WithEnv(map[string]string{"RECEIVER_URL": container.HostURL(rec.URL())}))
//	defer testcontainers.TerminateContainer(ctr)
//
// A receiver running in the test process is reachable from the container as
// host.docker.internal (mapped to the host gateway); HostURL rewrites a loopback URL
// to it. Such a receiver must listen on an address the bridge reaches (0.0.0.0).
package container

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"strings"
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

// Container is a running pwemu container.
type Container struct {
	testcontainers.Container
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
		return c, fmt.Errorf("run pwemu: %w", err)
	}
	return c, nil
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
