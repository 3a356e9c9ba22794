// Package spare keeps the records that their owners gave back, for the next
// owner to take instead of allocating one: a connection's pending output, its
// entry in the output sweep. A Stack is bounded, so that a burst of owners
// does not keep its records for the life of the process.
package spare
