package worker

import (
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

// masterPid is the pid in the pid file when that process is alive, else 0.
func (p *program) masterPid() int {
	b, err := os.ReadFile(p.pidFile)
	if err != nil {
		return 0
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || pid <= 0 || pid == os.Getpid() {
		return 0
	}
	if !processAlive(pid) {
		p.log("Master pid:" + strconv.Itoa(pid) + " is not alive")
		return 0
	}
	return pid
}

func (p *program) writePidFile() error {
	tmp := p.pidFile + ".tmp"
	if err := os.WriteFile(tmp, []byte(strconv.Itoa(os.Getpid())), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, p.pidFile) // readers never see a half-written pid
}

func (p *program) removePidFile() { os.Remove(p.pidFile) }
