// Package benchenv reads what the benchmark scripts vary from the
// environment, the same way for every Workerman-Go benchmark server:
// WM_ADDR (127.0.0.1:8080) and WM_COUNT (1) make the worker, WM_CPUPROFILE
// asks for a CPU profile (Profile), and each server reads its own settings
// with String and Duration. A bad value panics with
// the variable's name: a benchmark must not run on a setting it did not ask
// for.
package benchenv
