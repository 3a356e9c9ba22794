//go:build unix

package worker

import (
	"errors"
	"fmt"
	"os"
	"os/user"
	"runtime"
	"strconv"
	"syscall"

	"golang.org/x/sys/unix"
)

// multiProcess: the master and its children run here.
const multiProcess = true

func platformName() string { return runtime.GOOS }

// processAlive reports whether pid is a live process (not a zombie).
func processAlive(pid int) bool {
	err := syscall.Kill(pid, 0)
	if err != nil && !errors.Is(err, syscall.EPERM) {
		return false
	}
	return !zombie(pid)
}

// masterSignal is what a command sends the master.
type masterSignal = syscall.Signal

func cmdStop(graceful bool) masterSignal {
	if graceful {
		return syscall.SIGQUIT
	}
	return syscall.SIGINT
}

func cmdReload(graceful bool) masterSignal {
	if graceful {
		return syscall.SIGUSR2
	}
	return syscall.SIGUSR1
}

func signalMaster(pid int, s masterSignal) error {
	if err := syscall.Kill(pid, s); err != nil {
		return fmt.Errorf("worker: signal master %d: %w", pid, err)
	}
	return nil
}

// lockFile takes an exclusive lock on f for other processes; the result
// releases it.
func lockFile(f *os.File) func() {
	if unix.Flock(int(f.Fd()), unix.LOCK_EX) != nil {
		return func() {}
	}
	return func() { unix.Flock(int(f.Fd()), unix.LOCK_UN) }
}

func dupTo(fd, to int) { unix.Dup2(fd, to) }

// osName is the "Linux/6.1.0" of the banner and status.
func osName() string {
	var u unix.Utsname
	if err := unix.Uname(&u); err != nil {
		return runtime.GOOS
	}
	return unix.ByteSliceToString(u.Sysname[:]) + "/" + unix.ByteSliceToString(u.Release[:])
}

// credential is the account w's children run as. Only root may switch; a
// master that is not root runs them as itself and says why in warn.
func credential(w *Worker) (cred *syscall.Credential, warn string) {
	if w.User == "" && w.Group == "" {
		return nil, ""
	}
	cur, err := user.Current()
	if err != nil {
		return nil, "Warning: " + err.Error()
	}
	name := w.User
	if name == "" {
		name = cur.Username
	}
	u, err := user.Lookup(name)
	if err != nil {
		return nil, "Warning: User " + name + " not exists"
	}
	gid := u.Gid
	if w.Group != "" {
		g, err := user.LookupGroup(w.Group)
		if err != nil {
			return nil, "Warning: Group " + w.Group + " not exists"
		}
		gid = g.Gid
	}
	if os.Getuid() != 0 {
		if u.Uid != cur.Uid || gid != cur.Gid {
			return nil, "Warning: You must have the root privileges to change uid and gid."
		}
		return nil, ""
	}
	uid, err1 := strconv.ParseUint(u.Uid, 10, 32)
	g, err2 := strconv.ParseUint(gid, 10, 32)
	if err1 != nil || err2 != nil {
		return nil, "Warning: change gid or uid fail."
	}
	cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(g)}
	if ids, err := u.GroupIds(); err == nil {
		for _, id := range ids {
			if n, err := strconv.ParseUint(id, 10, 32); err == nil {
				cred.Groups = append(cred.Groups, uint32(n))
			}
		}
	}
	return cred, ""
}
