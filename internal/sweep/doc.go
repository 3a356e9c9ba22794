// Package sweep visits many connections with one repeating timer of the
// process instead of a timer per connection: HTTP enforces its timeouts so,
// and WebSocket its keep-alive pings. A Set holds the members, each of which
// remembers its own position, so adding and removing cost O(1) and a tick
// walks a plain slice; a Sweeper runs the timer over a Set while it has
// members, through the protocols.Loop of the connections it visits.
package sweep
