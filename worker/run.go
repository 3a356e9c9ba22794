package worker

import (
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/workerman-go/workerman/internal/fdlimit"
)

// Version is the framework's version, shown by the start banner, status and
// --version.
const Version = "0.1.0"

// Settings of the process model. Set them in main before RunAll; every
// process of the program (master and children) runs main, so they all see
// the same values.
var (
	// PidFile is where the master writes its pid; the control socket sits
	// beside it. Empty: workerman.{binary name}.pid in DefaultDir.
	PidFile string
	// LogFile receives Workerman-style lines ("2006-01-02 15:04:05 pid:N msg"),
	// trimmed to its newer half when it passes LogFileMaxSize. Empty:
	// workerman.log in DefaultDir; "/dev/null" turns it off.
	LogFile string
	// LogFileMaxSize is the size past which LogFile is trimmed.
	LogFileMaxSize int64 = 10 << 20
	// StdoutFile receives the standard output and error of a daemon (start -d)
	// and of its children. It is reopened on reload, so it can be rotated.
	StdoutFile = "/dev/null"
	// StopTimeout bounds a stop or reload that is not graceful: children that
	// still hold connections after it are closed down hard.
	StopTimeout = 2 * time.Second
	// GracefulTimeout bounds stop -g; 0 waits as long as clients stay, as
	// Workerman does.
	GracefulTimeout time.Duration
	// ReloadTimeout bounds reload -g: an old process still holding clients
	// after it is stopped hard, so that keep-alive clients cannot pin old code
	// for ever; they reconnect to the new processes. 0 waits as long as
	// clients stay.
	ReloadTimeout = time.Minute
	// Daemonize runs start in the background, as start -d does.
	Daemonize bool
)

// Environment variables that mark the processes a program starts itself.
const (
	envChild  = "WORKERMAN_GO_CHILD"  // "worker index:slot" of a child process
	envDaemon = "WORKERMAN_GO_DAEMON" // a daemonized master, told to report on parentFD
)

// Descriptors past standard error that such a process finds open.
const (
	// parentFD is the way back to the process that started this one: for a
	// child, its link to the master (a socketpair, link_unix.go); for a
	// daemonized master, the pipe on which it tells the `start -d` command
	// waiting for it that every child serves, or why start failed
	// (daemon_unix.go).
	parentFD = 3
	// listenerFD is a child's inherited listening socket, when its worker
	// shares one.
	listenerFD = 4
)

// Master hooks. They run in the master process, on its own event loop, one
// at a time: timers added from them (timer.Add, timer.Once) run in the
// master, on that loop too, and share its state without locks. Keep them
// short: the loop's callbacks hold up the master's hooks.
var (
	// OnMasterStart runs in the master once every child serves: the place
	// for periodic work of the master (timer.Add). Timers and tasks queued
	// before RunAll are the children's, which run main again: the master
	// drops its copies.
	OnMasterStart func()
	// OnMasterReload runs when the master starts a reload.
	OnMasterReload func()
	// OnMasterStop runs when every child has exited and the master is about to.
	OnMasterStop func()
	// OnWorkerExit runs when a child process of w exits; status is the raw
	// wait status (exit code 250 is 64000, SIGKILL is 9).
	OnWorkerExit func(w *Worker, status int, pid int)
)

// All returns every worker made with New, in order.
func All() []*Worker {
	registryMu.Lock()
	defer registryMu.Unlock()
	return append([]*Worker(nil), registry...)
}

// RunAll runs the command line of the program (start [-d], stop [-g],
// restart, reload [-g], status [-d], connections) for every worker made with
// New, then exits: 0 on success, 1 with the error on standard error.
func RunAll() {
	if err := RunArgs(os.Args); err != nil {
		if !errors.As(err, new(shown)) {
			fmt.Fprintln(os.Stderr, err)
		}
		os.Exit(1)
	}
	os.Exit(0)
}

// RunArgs is RunAll without the exit: args is the whole command line,
// program name first (os.Args). A process started by a master as one of its
// children ignores args and serves its worker.
func RunArgs(args []string) error {
	fdlimit.Raise()
	if spec, ok := os.LookupEnv(envChild); ok {
		return runChild(spec)
	}
	if notify := daemonNotify(); notify != nil {
		p := newProgram()
		p.daemon = true
		return runMaster(p, notify)
	}
	return newApp().Run(args)
}
