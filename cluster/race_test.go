//go:build race

package cluster_test

// Under -race the programs the tests drive are built with it too, so that a
// callback run off the event loop shows up as a race in a child.
func init() { buildFlags = append(buildFlags, "-race") }
