// Package sessionredis keeps the sessions of protocols/http in Redis, a
// single server or a Redis Cluster, through go-redis's UniversalClient. It is
// a module of its own, so that the core module needs no Redis client.
//
//	client := sessionredis.NewClient(&redis.UniversalOptions{Addrs: []string{"127.0.0.1:6379"}})
//	cfg := http.NewSessionConfig()
//	cfg.Handler = &sessionredis.Handler{Client: client, Lifetime: cfg.Lifetime}
//	w.Protocol = &http.Protocol{Session: cfg}
//
// Each session is one key, Prefix followed by the session id, holding the
// session's JSON with a TTL of Lifetime: Redis expires sessions itself, so
// GC has nothing to do. A write sets the TTL again; Refresh (and the
// automatic timestamp update) renews it without writing.
//
// The event loop waits for every handler call, as it waits for the file
// handler's disk; Redis on loopback or a LAN answers in well under a
// millisecond. Two bounds keep an outage from stalling the loop: each call
// ends after Timeout (200 ms unless set) with an error the application sees
// (Session.Err, the error of Session.Save), and after a call that could not
// reach Redis the calls of the next Backoff (1 s) fail at once with
// ErrUnavailable, so that a dead Redis costs the loop one Timeout a second,
// not one per request. A store that is often slow belongs on a goroutine
// instead: the application reads and writes it there and posts the answer
// back to the loop.
//
// A nil error from Write means Redis acknowledged the write. An error means
// it is not known to be stored (a timeout after the command went out may
// still have stored it); the session is then not saved again, so that a write
// reported as failed does not land later.
//
// Caveats:
//   - A session written by two requests at once keeps the later write whole
//     (last writer wins), as Workerman's Redis handler does.
//   - An id that fails http.ValidSessionID reaches no key:
//     http.ErrInvalidSessionID is returned, and the request gets a new
//     session.
//   - The client is the caller's: Close leaves it open.
package sessionredis
