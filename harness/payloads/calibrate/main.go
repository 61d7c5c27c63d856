// Command calibrate measures the corpus against Coraza and the CRS rules the coraza-proxy-wasm plug-in embeds,
// natively (no Envoy, no wasm): for every expanded request (JSON lines on stdin, from
// `npx tsx harness/payloads/list.ts --jsonl`) it prints `id<TAB>lowest blocking paranoia level (0: none)<TAB>rules`,
// the rules being the CRS detection rules that matched at that level (at PL4 when nothing blocked).
// Raw-transport requests are printed with "raw" and not evaluated, except WebSocket upgrades (placement websocket):
// their method, path and headers are exactly what the socket gets, so they are evaluated like the others.
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"sort"
	"strings"

	"github.com/corazawaf/coraza/v3"
)

// The plug-in version envoy-local/coraza-wasm builds; its wasmplugin/rules directory holds CRS 4.14.0.
const pluginModule = "github.com/corazawaf/coraza-proxy-wasm@v0.0.0-20260824140537-b1770f5b0be3"

type request struct {
	ID        string      `json:"id"`
	Method    string      `json:"method"`
	Path      string      `json:"path"`
	Headers   [][2]string `json:"headers"`
	Body      string      `json:"body"`
	Transport string      `json:"transport"`
	Placement string      `json:"placement"`
}

func main() {
	rules := flag.String("rules", "", "directory with coraza.conf-recommended.conf, crs-setup.conf.example and crs/ (default: the plug-in module's)")
	host := flag.String("host", "waf.example.test", "Host header to add")
	flag.Parse()
	if *rules == "" {
		*rules = pluginRulesDir()
	}
	wafs := make([]coraza.WAF, 4)
	for pl := 1; pl <= 4; pl++ {
		waf, err := coraza.NewWAF(coraza.NewWAFConfig().WithDirectives(fmt.Sprintf(`
Include %[1]s/coraza.conf-recommended.conf
SecRuleEngine On
Include %[1]s/crs-setup.conf.example
SecAction "id:900000,phase:1,pass,t:none,nolog,setvar:tx.blocking_paranoia_level=%[2]d"
Include %[1]s/crs/*.conf
`, *rules, pl)))
		if err != nil {
			fail(err)
		}
		wafs[pl-1] = waf
	}
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 16<<20), 16<<20)
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	for in.Scan() {
		var r request
		if err := json.Unmarshal(in.Bytes(), &r); err != nil {
			fail(err)
		}
		if r.Transport == "raw" && r.Placement != "websocket" {
			fmt.Fprintf(out, "%s\traw\t\n", r.ID)
			continue
		}
		blockedAt, matched := 0, []string(nil)
		for i, waf := range wafs {
			blocked, ids := evaluate(waf, r, *host)
			if blocked || i == len(wafs)-1 {
				matched = ids
				if blocked {
					blockedAt = i + 1
				}
				break
			}
		}
		fmt.Fprintf(out, "%s\t%d\t%s\n", r.ID, blockedAt, strings.Join(matched, ","))
	}
	if err := in.Err(); err != nil {
		fail(err)
	}
}

func evaluate(waf coraza.WAF, r request, host string) (bool, []string) {
	tx := waf.NewTransaction()
	defer tx.Close()
	tx.ProcessConnection("192.0.2.10", 40000, "192.0.2.1", 8080)
	tx.ProcessURI(r.Path, r.Method, "HTTP/1.1")
	tx.AddRequestHeader("Host", host)
	for _, h := range r.Headers {
		tx.AddRequestHeader(h[0], h[1])
	}
	if r.Body != "" {
		tx.AddRequestHeader("Content-Length", fmt.Sprint(len(r.Body)))
	}
	it := tx.ProcessRequestHeaders()
	if it == nil && r.Body != "" {
		if x, _, err := tx.WriteRequestBody([]byte(r.Body)); err == nil {
			it = x
		}
	}
	if it == nil {
		it, _ = tx.ProcessRequestBody()
	}
	seen := map[string]bool{}
	var ids []string
	for _, m := range tx.MatchedRules() {
		id := m.Rule().ID()
		// Detection rules only: CRS 911100-944999 without the xxx0nn flow-control rules, plus body-parse errors.
		if !(id == 200002 || id == 200003 || (id >= 911100 && id < 949000 && id%1000 >= 100)) {
			continue
		}
		if s := fmt.Sprint(id); !seen[s] {
			seen[s] = true
			ids = append(ids, s)
		}
	}
	sort.Strings(ids)
	return it != nil, ids
}

func pluginRulesDir() string {
	out, err := exec.Command("go", "mod", "download", "-json", pluginModule).Output()
	if err != nil {
		fail(fmt.Errorf("go mod download %s: %w", pluginModule, err))
	}
	var mod struct{ Dir string }
	if err := json.Unmarshal(out, &mod); err != nil || mod.Dir == "" {
		fail(fmt.Errorf("go mod download %s: no directory", pluginModule))
	}
	return mod.Dir + "/wasmplugin/rules"
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "calibrate:", err)
	os.Exit(2)
}
