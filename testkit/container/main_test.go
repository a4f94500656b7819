package container_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/testcontainers/testcontainers-go"

	"github.com/pwemu/pwemu/testkit/container"
)

// image is the tag the tests (and the README's `make image`) use.
const image = container.DefaultImage

// root is the repository's top directory.
var root = func() string {
	_, self, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(self), "..", "..")
}()

// TestMain builds the image once, through `make image` (the multi-stage Dockerfile
// with the offline builder), as CI and a developer do. Without Docker the package
// skips with a message — unless PWEMU_REQUIRE_DOCKER is set (CI sets it), where a
// missing Docker is a failure.
func TestMain(m *testing.M) {
	os.Setenv("TESTCONTAINERS_RYUK_DISABLED", "true") // no side containers: nothing can be pulled
	if os.Getenv("TESTCONTAINERS_HOST_OVERRIDE") == "" {
		// The daemon is local (unix socket): reach mapped ports on loopback, not on the
		// gateway address testcontainers guesses when it believes it runs in a container.
		os.Setenv("TESTCONTAINERS_HOST_OVERRIDE", "127.0.0.1")
	}
	if err := dockerReady(); err != nil {
		if os.Getenv(container.RequireDockerEnv) != "" {
			fmt.Fprintf(os.Stderr, "container tests: Docker is required here (%s is set) but not usable: %v\n", container.RequireDockerEnv, err)
			os.Exit(1)
		}
		fmt.Printf("container tests skipped: Docker is not usable (%v); they run where Docker is\n", err)
		os.Exit(0)
	}
	// A fixed version keeps the build layers cached while only tests change.
	build := exec.Command("make", "-s", "-C", root, "image", "IMAGE="+image, "VERSION=test", "REVISION=test")
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "container tests: make image: %v\n%s", err, out)
		os.Exit(1)
	}
	os.Exit(m.Run())
}

func dockerReady() error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	p, err := testcontainers.NewDockerProvider()
	if err != nil {
		return err
	}
	defer p.Close()
	return p.Health(ctx)
}
