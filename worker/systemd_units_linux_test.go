package worker_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// unitFile is one unit file that docs/deployment.md gives, under the
// heading of its section.
type unitFile struct {
	section string
	path    string // under /etc/systemd/system
	text    string
}

// documentedUnits are the ```ini blocks of docs/deployment.md whose first
// line names their file: "# /etc/systemd/system/app.service".
func documentedUnits(t *testing.T) []unitFile {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "docs", "deployment.md"))
	if err != nil {
		t.Fatal(err)
	}
	var units []unitFile
	section := ""
	lines := strings.Split(string(b), "\n")
	for i := 0; i < len(lines); i++ {
		if strings.HasPrefix(lines[i], "### ") {
			section = strings.TrimPrefix(lines[i], "### ")
		}
		if lines[i] != "```ini" || i+1 >= len(lines) {
			continue
		}
		path, ok := strings.CutPrefix(lines[i+1], "# /etc/systemd/system/")
		if !ok {
			continue
		}
		var text strings.Builder
		for i++; i < len(lines) && lines[i] != "```"; i++ {
			text.WriteString(lines[i] + "\n")
		}
		units = append(units, unitFile{section: section, path: path, text: text.String()})
	}
	return units
}

// systemdVersion is what systemd-analyze says it is, e.g. 252.
func systemdVersion(t *testing.T, analyze string) int {
	t.Helper()
	out, err := exec.Command(analyze, "--version").Output()
	if err != nil {
		t.Fatalf("systemd-analyze --version: %v", err)
	}
	m := regexp.MustCompile(`^systemd (\d+)`).FindSubmatch(out)
	if m == nil {
		t.Fatalf("systemd-analyze --version: %q", out)
	}
	v, _ := strconv.Atoi(string(m[1]))
	return v
}

// The unit files of docs/deployment.md, checked by systemd's own parser
// (systemd-analyze verify, of the Debian package systemd) with the test
// program in place of /srv/app/app: an unknown setting, a bad value or a
// missing executable fails.
func TestDocumentedUnitsVerify(t *testing.T) {
	analyze, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Skip("systemd-analyze not installed (Debian package systemd): the unit files of docs/deployment.md are not checked")
	}
	version := systemdVersion(t, analyze)
	units := documentedUnits(t)
	var sections []string
	for _, u := range units {
		if len(sections) == 0 || sections[len(sections)-1] != u.section {
			sections = append(sections, u.section)
		}
	}
	if len(sections) < 2 || len(units) < 4 {
		t.Fatalf("docs/deployment.md gives %d unit files in sections %q; want a service, its drop-in, a socket and its service", len(units), sections)
	}
	bin := built(t, "v1")
	for _, section := range sections {
		t.Run(section, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.Symlink(bin, filepath.Join(dir, "app")); err != nil {
				t.Fatal(err)
			}
			var files, dropIns []string
			for _, u := range units {
				if u.section != section {
					continue
				}
				p := filepath.Join(dir, u.path)
				os.MkdirAll(filepath.Dir(p), 0o755)
				if err := os.WriteFile(p, []byte(strings.ReplaceAll(u.text, "/srv/app", dir)), 0o644); err != nil {
					t.Fatal(err)
				}
				if strings.Contains(u.path, "/") {
					dropIns = append(dropIns, p)
				} else {
					files = append(files, p)
				}
			}
			verify := func(t *testing.T) {
				t.Helper()
				cmd := exec.Command(analyze, append([]string{"verify", "--man=no"}, files...)...)
				var stderr bytes.Buffer
				cmd.Stdout, cmd.Stderr = &stderr, &stderr
				if err := cmd.Run(); err != nil || stderr.Len() > 0 {
					t.Fatalf("systemd-analyze verify %s: %v\n%s", strings.Join(files, " "), err, stderr.String())
				}
			}
			// Drop-ins (app.service.d/) are read with their unit: first
			// without them.
			hidden := filepath.Join(dir, "hidden")
			os.Mkdir(hidden, 0o755)
			for _, p := range dropIns {
				os.Rename(filepath.Dir(p), filepath.Join(hidden, filepath.Base(filepath.Dir(p))))
			}
			verify(t)
			if len(dropIns) == 0 {
				return
			}
			t.Run("drop-in", func(t *testing.T) {
				if version < 253 {
					t.Skipf("systemd %d knows no Type=notify-reload (253 and later): the drop-in is not checked", version)
				}
				for _, p := range dropIns {
					os.Rename(filepath.Join(hidden, filepath.Base(filepath.Dir(p))), filepath.Dir(p))
				}
				verify(t)
			})
		})
	}
}
