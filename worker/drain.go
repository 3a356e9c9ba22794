package worker

import "time"

// drainMode is how a process lets go of its connections when it stops or is
// replaced: what stop, stop -g, reload and reload -g ask of the master, and
// the master of each child.
type drainMode int

const (
	// stopNow closes each connection as soon as it is idle (stop).
	stopNow drainMode = iota
	// stopGraceful waits for the clients to leave (stop -g).
	stopGraceful
	// reloadNow closes each connection as soon as it is idle, except the
	// ones that have sent nothing yet: their requests may be on their way,
	// and the old process is the one to answer them (reload).
	reloadNow
	// reloadGraceful waits for the clients to leave, for at most
	// ReloadTimeout (reload -g).
	reloadGraceful
)

func (d drainMode) graceful() bool { return d == stopGraceful || d == reloadGraceful }

func (d drainMode) reload() bool { return d == reloadNow || d == reloadGraceful }

// hurried is d without the patience: what a stop signal makes of a
// graceful drain.
func (d drainMode) hurried() drainMode {
	switch d {
	case stopGraceful:
		return stopNow
	case reloadGraceful:
		return reloadNow
	}
	return d
}

// bound is how long a process draining in mode d may wait for its clients
// before it closes them: StopTimeout, or GracefulTimeout and ReloadTimeout
// for the graceful modes. 0 is no bound.
func (d drainMode) bound() time.Duration {
	switch d {
	case stopGraceful:
		return GracefulTimeout
	case reloadGraceful:
		return ReloadTimeout
	}
	return StopTimeout
}
