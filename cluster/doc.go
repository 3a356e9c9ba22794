// Package cluster lets the processes of a Workerman-Go program, and of many
// programs on many machines, reach each other's connections, on NATS.
//
// Importing it is enough on one machine: the master runs an embedded NATS
// server on a random loopback port with a generated token, before the
// children start and until after they stopped, through reloads, and status
// shows it; every child connects with what the master hands it. A run
// without a master (worker.Start, start -s) runs the server in-process.
// Many machines join one cluster with configuration alone: WM_NATS_URL for
// external NATS servers, or WM_NATS_ROUTES and WM_NATS_CLUSTER_LISTEN to
// route the embedded servers to each other (see the settings in config.go).
//
// Two layers:
//
//   - Publish, Subscribe, QueueSubscribe and Request: subjects in the
//     manner of workerman/channel. Callbacks run on the subscribing
//     process's event loop, never on a NATS goroutine, so application code
//     keeps the no-locks promise.
//   - GatewayWorker's addressing: ClientID, BindUid, JoinGroup, SendToClient,
//     SendToUid, SendToGroup, SendToAll, CloseClient, IsOnline, IsUidOnline,
//     UidCount, GroupCount, ClientCount. What is sent is encoded with the
//     receiving connection's protocol: a WebSocket frame, an event on an
//     HTTP event stream.
//
// The examples (Example functions, examples/chat, examples/notify) are the
// best way in; docs/cluster.md tells the model, the topologies and the
// numbers.
//
// Semantics and limits:
//
//   - Delivery is at most once (core NATS), in order per publisher and
//     subject. What the loop receives in one round and sends to one
//     connection leaves in one write: the round hands out its messages
//     grouped by subscription.
//   - Membership calls (BindUid, JoinGroup, ...) are loop-only; sends,
//     publishes and queries are safe from any goroutine and never wait.
//   - A membership (and a Subscribe) holds in its own process at once, and
//     for the other processes once the NATS server has the subscription,
//     a round trip later: a message another process sends in between
//     misses it. Anything that answers over the same NATS connection after
//     the call (a count, a reply the client asked for) shows it has arrived.
//   - A connection's bindings end when it closes; a process's end with its
//     NATS session, so a process that dies leaves no members behind.
//   - Subjects, uids and group names are validated tokens: no wildcard, no
//     dot in a name, no whitespace, at most MaxNameLength bytes
//     (ErrBadName). A message over the server's maximum payload fails with
//     ErrTooLarge.
//   - While NATS is unreachable, deliveries to this process's own members
//     go on; publishes are buffered (ReconnectBuffer) for OutageLimit, then
//     fail with ErrUnavailable; the connection comes back by itself.
//   - A slow client is bounded by its send buffer (OnBufferFull); a slow
//     process by InboxSize, past which NATS drops messages and the drop is
//     logged.
package cluster
