package main

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/fsnotify/fsnotify"

	"github.com/pwemu/pwemu/emulator"
	"github.com/pwemu/pwemu/scenarios"
)

// settle is how long a scenario file must stay unchanged before it is read again: an
// editor's save is often several writes.
const settle = 100 * time.Millisecond

// watchScenario plays the scenario file at path again, from its initial state, each
// time its content changes, until ctx ends. It watches the file's directory, so that
// editors that save by writing a new file and renaming it over the old one are seen. A
// file that does not load is logged with its errors and the running scenario kept.
func watchScenario(ctx context.Context, path string, emu *emulator.Emulator, log *slog.Logger) error {
	abs, err := filepath.Abs(path)
	if err != nil {
		return err
	}
	if st, err := os.Stat(abs); err != nil || !st.Mode().IsRegular() {
		return usageError{fmt.Errorf("--watch reloads a scenario file: %q is none", path)}
	}
	current, err := os.ReadFile(abs)
	if err != nil {
		return err
	}
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return fmt.Errorf("--watch: %w", err)
	}
	if err := w.Add(filepath.Dir(abs)); err != nil {
		w.Close()
		return fmt.Errorf("--watch %s: %w", path, err)
	}
	go func() {
		defer w.Close()
		debounce := time.NewTimer(time.Hour)
		debounce.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case ev, ok := <-w.Events:
				if !ok {
					return
				}
				if filepath.Clean(ev.Name) == abs && ev.Has(fsnotify.Write|fsnotify.Create|fsnotify.Rename) {
					debounce.Reset(settle)
				}
			case err, ok := <-w.Errors:
				if !ok {
					return
				}
				log.Error("watching the scenario file", "file", path, "err", err)
			case <-debounce.C:
				data, err := os.ReadFile(abs)
				if err != nil || bytes.Equal(data, current) {
					continue // gone for now (a rename in progress), or touched but unchanged
				}
				current = data
				sc, err := scenarios.LoadWith(abs, scenarios.Options{})
				if err == nil {
					err = emu.ReplaceScenario(sc)
				}
				if err != nil {
					log.Error("scenario file changed but does not load: the running scenario is kept", "file", path, "err", err)
					continue
				}
				log.Info("scenario reloaded", "file", path, "scenario", sc.Name)
			}
		}
	}()
	return nil
}
