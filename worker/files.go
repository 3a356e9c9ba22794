package worker

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// program is what every command knows about the running binary: its name
// for messages and the files the processes share.
type program struct {
	name    string // binary's base name: Workerman[name]
	invoke  string // how a user runs it, for "Input ... stop"
	exe     string // the executable's path as started, re-executed for children
	pidFile string
	logFile string
	sock    string // control socket
	daemon  bool   // this process is a daemonized master
}

func newProgram() *program {
	exe, err := os.Executable()
	if err != nil {
		exe = os.Args[0]
	}
	p := &program{name: filepath.Base(os.Args[0]), invoke: os.Args[0], exe: exe}
	if goRunBuild(exe) {
		p.invoke = p.name // the temporary path means nothing to the user
	}
	dir := DefaultDir()
	p.pidFile = PidFile
	if p.pidFile == "" {
		p.pidFile = filepath.Join(dir, "workerman."+p.name+".pid")
	}
	p.logFile = LogFile
	if p.logFile == "" {
		p.logFile = filepath.Join(dir, "workerman.log")
	}
	p.sock = strings.TrimSuffix(p.pidFile, ".pid") + ".sock"
	return p
}

// DefaultDir is where the pid and log files go unless PidFile and LogFile
// say otherwise: beside the executable, as Workerman puts them beside its
// start file, or the working directory when the executable is a temporary
// build of `go run`, which vanishes when it ends.
func DefaultDir() string {
	exe, err := os.Executable()
	if err == nil && !goRunBuild(exe) {
		return filepath.Dir(exe)
	}
	wd, err := os.Getwd()
	if err != nil {
		return "."
	}
	return wd
}

// goRunBuild reports whether exe was built by `go run` (or `go test`): into a
// go-build temporary directory, or kept in the build cache, where `go run`
// keeps the programs it runs again.
func goRunBuild(exe string) bool {
	for _, part := range strings.Split(filepath.ToSlash(exe), "/") {
		if strings.HasPrefix(part, "go-build") {
			return true
		}
	}
	cache := os.Getenv("GOCACHE")
	if cache == "" {
		if dir, err := os.UserCacheDir(); err == nil {
			cache = filepath.Join(dir, "go-build")
		}
	}
	return cache != "" && strings.HasPrefix(exe, cache+string(filepath.Separator))
}

// masterPid is the pid of the program's running master, as the pid file
// names it, or 0. A pid file is stale when the process it names is gone, or
// is not the master (the system gave a killed master's pid to another
// process): masterPid then says so and returns 0, and no command signals
// that process.
func (p *program) masterPid() int {
	pid, stale := p.findMaster()
	if stale != "" {
		p.log(stale)
	}
	return pid
}

// findMaster is masterPid without the message: the master's pid, or 0 and
// why the pid file is stale ("" when there is none, or it names this very
// process).
func (p *program) findMaster() (pid int, stale string) {
	b, err := os.ReadFile(p.pidFile)
	if err != nil {
		return 0, ""
	}
	pid, err = strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || pid <= 0 || pid == os.Getpid() {
		return 0, ""
	}
	if !processAlive(pid) {
		return 0, "Master pid:" + strconv.Itoa(pid) + " is not alive"
	}
	if !p.isMaster(pid) {
		return 0, fmt.Sprintf("%s pid file %s is stale: process %d is not its master", p.tag(), p.pidFile, pid)
	}
	return pid, ""
}

func (p *program) writePidFile() error {
	tmp := p.pidFile + ".tmp"
	if err := os.WriteFile(tmp, []byte(strconv.Itoa(os.Getpid())), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, p.pidFile) // readers never see a half-written pid
}

func (p *program) removePidFile() { os.Remove(p.pidFile) }
