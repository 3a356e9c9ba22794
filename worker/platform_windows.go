package worker

import (
	"errors"
	"os"
	"runtime"
)

// Windows has neither fork-style inheritance of listening sockets nor the
// signals the commands use: start serves every worker in one process.

const multiProcess = false

func platformName() string { return runtime.GOOS }

var errSingleProcess = errors.New("worker: windows runs every worker in one process (start); stop it with Ctrl+C")

type masterSignal int

func cmdStop(bool) masterSignal   { return 0 }
func cmdReload(bool) masterSignal { return 0 }

func signalMaster(int, masterSignal) error { return errSingleProcess }

func processAlive(int) bool { return false }

func lockFile(*os.File) func() { return func() {} }

func osName() string { return "Windows" }

func runChild(string) error { return errSingleProcess }

func runMaster(*program, *os.File) error { return errSingleProcess }

func (p *program) startDaemon() error { return errSingleProcess }

func daemonNotify() *os.File { return nil }

func queryStatus(*program, int) (*statusReport, error) { return nil, errSingleProcess }

func queryConnections(*program, int) ([]connectionStatus, error) { return nil, errSingleProcess }
