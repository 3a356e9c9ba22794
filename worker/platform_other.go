//go:build !unix

package worker

import (
	"errors"
	"os"
	"runtime"
)

// What the _unix files provide, on the systems that are not unix (Windows,
// plan9, js and wasip1): they have neither fork-style inheritance of
// listening sockets nor the signals the commands use, so start serves every
// worker in one process.

const multiProcess = false

func platformName() string { return runtime.GOOS }

var errSingleProcess = errors.New("worker: " + runtime.GOOS + " runs every worker in one process (start); stop it with Ctrl+C")

func signalMaster(int, drainMode) error { return errSingleProcess }

func processAlive(int) bool { return false }

func (p *program) isMaster(int) bool { return false }

func lockFile(*os.File) func() { return func() {} }

// osName is the system's name as the banner and status show it.
func osName() string {
	if runtime.GOOS == "windows" {
		return "Windows"
	}
	return runtime.GOOS
}

func runChild(string) error { return errSingleProcess }

func runMaster(*program, *os.File) error { return errSingleProcess }

func (p *program) startDaemon() error { return errSingleProcess }

func daemonNotify() *os.File { return nil }

func queryStatus(*program, int) (*statusReport, error) { return nil, errSingleProcess }

func queryConnections(*program, int) ([]connectionStatus, error) { return nil, errSingleProcess }
