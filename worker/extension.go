package worker

import (
	"fmt"
	"strings"
	"sync"
)

// Extension is a service the master runs for its children, as it holds the
// listening sockets for them: a module registers one (in its init, say) and
// every master of the program starts it before the first child, keeps it
// through reloads and stops it after the last child has exited. Children
// learn how to reach it from the environment it hands them.
//
// Single-process runs (Start, start -s, Windows) have no master and start no
// extension: a module that needs its service there runs it in-process.
type Extension interface {
	// Name is what status shows the extension as.
	Name() string
	// Start runs in the master before any child starts; an error stops the
	// start.
	Start() error
	// Env is the KEY=VALUE pairs every child gets, asked at each spawn.
	Env() []string
	// Status is one line of figures for status; safe from any goroutine.
	Status() string
	// Stop runs in the master after its last child has exited.
	Stop()
}

var (
	extMu      sync.Mutex
	extensions []Extension
)

// RegisterExtension adds e to the services every master of this program
// runs. Call it before RunAll, in every process (from init or main), so that
// master and children agree.
func RegisterExtension(e Extension) {
	extMu.Lock()
	defer extMu.Unlock()
	extensions = append(extensions, e)
}

func registeredExtensions() []Extension {
	extMu.Lock()
	defer extMu.Unlock()
	return append([]Extension(nil), extensions...)
}

// startExtensions starts every registered extension in order and returns
// what stops the started ones in reverse order.
func startExtensions() (stop func(), err error) {
	var started []Extension
	stop = func() {
		for i := len(started) - 1; i >= 0; i-- {
			started[i].Stop()
		}
	}
	for _, e := range registeredExtensions() {
		if err := e.Start(); err != nil {
			stop()
			return func() {}, fmt.Errorf("worker: extension %s: %w", e.Name(), err)
		}
		started = append(started, e)
	}
	return stop, nil
}

// extensionEnv is what every extension hands a new child.
func extensionEnv() []string {
	var env []string
	for _, e := range registeredExtensions() {
		env = append(env, e.Env()...)
	}
	return env
}

// extensionStatus is one extension's line in status.
type extensionStatus struct {
	Name   string `json:"name"`
	Status string `json:"status"`
}

func extensionStatuses() []extensionStatus {
	var out []extensionStatus
	for _, e := range registeredExtensions() {
		out = append(out, extensionStatus{Name: e.Name(), Status: e.Status()})
	}
	return out
}

// formatExtensions renders the extensions' lines under the process table.
func formatExtensions(es []extensionStatus) string {
	var b strings.Builder
	for _, e := range es {
		b.WriteString(e.Name + ": " + e.Status + "\n")
	}
	return b.String()
}
