// Package worker runs Workerman-style servers: a Worker is a listening
// socket ("http://0.0.0.0:8080", "text://127.0.0.1:5678", "unix:///run/app.sock")
// plus callbacks, and RunAll gives the program Workerman's command line:
//
//	./app start [-d]     start in the foreground, or as a daemon
//	./app stop [-g]      stop; -g lets connections finish
//	./app restart [-d] [-g]
//	./app reload [-g]    replace the worker processes with the binary on disk
//	./app status [-d]    a table of every process; -d refreshes it live
//	./app connections    every connection of every process
//
// The examples are the best way in; Start serves workers inside a test.
//
// # Processes
//
// `start` makes the master. The master binds every worker's listening
// socket, then starts Count children per worker by running its own
// executable again; each child inherits its worker's socket (fd 4) and a
// unix socketpair to the master (fd 3), and is told by the environment
// variable WORKERMAN_GO_CHILD which worker and which slot (its ID,
// 0..Count-1) it serves. A child runs main like any process of the program,
// makes the same workers in the same order, and then serves only its own
// worker, on the process's one event loop. So a program with two workers of
// Count 4 runs nine processes: the master and eight children. The master
// runs no user code but its hooks (OnMasterStart, OnMasterReload,
// OnMasterStop, OnWorkerExit), on an event loop of its own, with the timers
// they add: OnMasterStart, run once every child serves, is where periodic
// work of the master starts (timer.Add). It watches its children and keeps
// the sockets.
// Every process of the program (master, children, daemon) raises its soft
// limit on open files to the hard one as it starts: each connection is a
// descriptor, so the hard limit of one process bounds the connections of one
// child, and Count spreads more connections than that over several.
//
// Because the master owns the sockets, the port stays open while children
// come and go: a child that dies is replaced in its slot at once (a child
// that keeps dying young is restarted after a growing pause, up to 5 s), and
// its exit is logged with Workerman's raw wait status ("worker[web:1234] exit
// with status 9"). A worker with ReusePort has no shared socket: each child
// binds its own SO_REUSEPORT socket. Children see the master go when their
// socketpair closes, and stop.
//
// # Reload
//
// `reload` (SIGUSR1 to the master) replaces reloadable children one at a
// time. For each, the master first starts the new child from the executable
// file on disk and waits until it accepts on the shared socket; only then is
// the old child told to stop accepting and to close its connections as soon
// as each is idle. No connection is refused and none waits for a process to
// start. Deploy a new build by writing it to a new file and renaming it over
// the old one (the running processes keep the old file), then reload.
// `reload -g` (SIGUSR2) lets the old children keep their connections until
// their clients leave (for at most ReloadTimeout), while the next
// children are replaced. Workers with Reloadable false stay, and run
// OnWorkerReload. The master reopens StdoutFile on reload, for rotation.
//
// Under `go run` the executable is a build made for that run (a temporary file
// that `go run` deletes when it ends, or one kept in the build cache): a
// daemon started that way restarts and reloads children from that build, or
// from its own image (/proc/self/exe) once the file is gone, so reload gives
// the same code again. Build a binary to deploy.
//
// # Stop
//
// `stop` (SIGINT, SIGTERM or SIGHUP to the master) runs OnWorkerStop in each
// child, stops accepting, closes each connection once it holds no partial
// request (a WebSocket is first told 1001, going away, and closes on its
// client's answer or after a second), and closes what is left after
// StopTimeout; the master kills a
// child still there half a second later. `stop -g` (SIGQUIT) waits for the
// clients to leave. The command waits for the master to exit, polling every
// 10 ms, and the master removes the pid file and the control socket.
//
// # Files
//
// The pid file (workerman.{binary name}.pid), the log file (workerman.log,
// lines "2006-01-02 15:04:05 pid:N message", trimmed to its newer half past
// 10 MiB) and the control socket (workerman.{binary name}.sock, which status
// and connections ask) go beside the executable, or in the working
// directory when it is a `go run` build; PidFile and LogFile move them.
// Every command makes sure the pid file names the master (its control
// socket answers with that pid, or on Linux /proc says it runs this
// executable) before it signals it: a pid file left by a killed master,
// whose pid another process has since been given, is stale, and the
// command says so and signals nothing. A
// daemon (start -d) runs in a new session with its output, and its
// children's, in StdoutFile (/dev/null unless set); it tells the command
// that started it that every child serves on a pipe at fd 3, the descriptor
// a child's socketpair takes.
//
// # Platforms
//
// The master and its children run on Linux and the other unix systems.
// Windows (like plan9, js and wasip1) has no way to hand a listening socket
// to a child process the same way, nor the signals: there `start` serves
// every worker in one process, and says so; `start -s` does the same
// anywhere.
//
// # systemd
//
// Under systemd (`start` in the foreground) the master speaks its protocols
// itself. Given NOTIFY_SOCKET (Type=notify) it sends READY=1 once every
// child serves, RELOADING=1 and then READY=1 around a reload, STOPPING=1
// when it stops, and WATCHDOG=1 every half of WATCHDOG_USEC (WatchdogSec=).
// Given listening sockets (socket activation: LISTEN_FDS, with LISTEN_PID
// its pid) it takes them as its workers' sockets, each for the worker of
// its FileDescriptorName= (the worker's Name), or else of its address, and
// binds only the others: connections that arrive while the service
// restarts wait in systemd's socket. docs/deployment.md gives the units.
package worker
