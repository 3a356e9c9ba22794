//go:build unix

package fdlimit

import "syscall"

// Raise sets the soft limit on open files to the hard one and returns the
// soft limit now in force, or 0 when the system does not tell it.
func Raise() uint64 {
	var lim syscall.Rlimit
	if syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim) != nil {
		return 0
	}
	if lim.Cur < lim.Max {
		up := lim
		up.Cur = up.Max
		if syscall.Setrlimit(syscall.RLIMIT_NOFILE, &up) == nil {
			lim = up
		}
	}
	return uint64(lim.Cur)
}
