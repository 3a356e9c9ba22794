//go:build unix

package worker

import (
	"fmt"
	"os"
	"syscall"
)

// reload replaces every reloadable child with a fresh process of the
// executable on disk, one at a time: the new child starts and accepts on
// the same listening socket before the old one is told to go, so no
// connection is refused. In reloadGraceful mode old children finish their
// connections while the next ones are replaced. Children of workers that
// are not Reloadable run OnWorkerReload and stay.
func (m *master) reload(mode drainMode) {
	m.mu.Lock()
	if m.stopping || m.reloading {
		m.mu.Unlock()
		return
	}
	m.reloading = true
	var old []*child
	for _, slots := range m.slots {
		for _, c := range slots {
			if c != nil {
				old = append(old, c)
			}
		}
	}
	m.mu.Unlock()
	m.sd.send(reloading()...)
	m.p.log(m.p.tag() + " reloading")
	if m.p.daemon {
		reopenStdout()
	}
	if OnMasterReload != nil {
		m.p.guard("OnMasterReload", OnMasterReload)
	}
	go func() {
		defer func() {
			m.mu.Lock()
			m.reloading = false
			stopping := m.stopping
			m.mu.Unlock()
			if !stopping { // a stop has said STOPPING=1 instead
				m.sd.send("READY=1", "STATUS="+m.serving())
			}
		}()
		for _, c := range old {
			if !m.workers[c.wi].Reloadable {
				c.signal(mode.signal())
				continue
			}
			if !m.replace(c, mode) {
				return
			}
		}
	}()
}

// replace starts the successor of old, then retires old. It reports whether
// the reload may go on.
func (m *master) replace(old *child, mode drainMode) bool {
	m.mu.Lock()
	if m.stopping || old.gone() || m.slots[old.wi][old.slot] != old {
		m.mu.Unlock()
		return !m.stopping // died meanwhile: its slot is refilled as after any death
	}
	m.mu.Unlock()
	nc, err := m.spawn(old.wi, old.slot, old)
	if err != nil {
		m.p.log(fmt.Sprintf("%s reload stopped: %v", m.p.tag(), err))
		return false
	}
	if err := nc.waitReady(); err != nil {
		m.p.log(fmt.Sprintf("%s reload stopped, the old processes serve on: %v", m.p.tag(), err))
		nc.signal(syscall.SIGKILL)
		return false
	}
	m.mu.Lock()
	nc.prev = nil
	m.mu.Unlock()
	old.signal(mode.signal())
	m.killLater([]*child{old}, mode.bound())
	if !mode.graceful() {
		<-old.exitedCh
	}
	return true
}

// reopenStdout points the master's standard output and error, which new
// children inherit, at a fresh open of StdoutFile, so a rotated file is
// let go.
func reopenStdout() {
	f, err := os.OpenFile(StdoutFile, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return
	}
	defer f.Close()
	dupTo(int(f.Fd()), 1)
	dupTo(int(f.Fd()), 2)
}
