//go:build unix

package worker

import (
	"os"
	"os/user"
	"strconv"
	"testing"
)

func TestCredentialOfAWorker(t *testing.T) {
	t.Run("no user and no group keeps the master's account", func(t *testing.T) {
		if cred, warn := credential(&Worker{}); cred != nil || warn != "" {
			t.Fatalf("got %+v, %q", cred, warn)
		}
	})
	t.Run("an unknown user is a warning, as in Workerman", func(t *testing.T) {
		cred, warn := credential(&Worker{User: "no-such-user-here"})
		if cred != nil || warn != "Warning: User no-such-user-here not exists" {
			t.Fatalf("got %+v, %q", cred, warn)
		}
	})
	t.Run("an unknown group is a warning, as in Workerman", func(t *testing.T) {
		cred, warn := credential(&Worker{Group: "no-such-group-here"})
		if cred != nil || warn != "Warning: Group no-such-group-here not exists" {
			t.Fatalf("got %+v, %q", cred, warn)
		}
	})
	nobody, err := user.Lookup("nobody")
	if err != nil {
		t.Skip("no user nobody on this system")
	}
	t.Run("another user is switched to by root, or refused with Workerman's warning", func(t *testing.T) {
		cred, warn := credential(&Worker{User: "nobody"})
		if os.Getuid() != 0 {
			if cred != nil || warn != "Warning: You must have the root privileges to change uid and gid." {
				t.Fatalf("not root: got %+v, %q", cred, warn)
			}
			return
		}
		uid, _ := strconv.ParseUint(nobody.Uid, 10, 32)
		gid, _ := strconv.ParseUint(nobody.Gid, 10, 32)
		if warn != "" || cred == nil || cred.Uid != uint32(uid) || cred.Gid != uint32(gid) {
			t.Fatalf("root: got %+v, %q; want uid %d gid %d", cred, warn, uid, gid)
		}
	})
}
