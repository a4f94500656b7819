package control

import (
	"bytes"
	"net/url"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Redacted stands in for a secret in what the control API shows.
const Redacted = "***"

// secretKeys are the scenario keys whose values are credentials for a receiver.
var secretKeys = map[string]bool{"authorization": true}

// RedactYAML returns a scenario's YAML with integration secrets replaced by "***":
// authorization values, and the password of an endpoint URL. YAML that does not
// parse is withheld whole rather than shown.
func RedactYAML(src []byte) []byte {
	var doc yaml.Node
	if err := yaml.Unmarshal(src, &doc); err != nil {
		return []byte("# withheld: the scenario's YAML could not be read to redact its secrets\n")
	}
	if !redactNode(&doc) {
		return src // nothing secret: keep the text as written, comments and all
	}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(&doc); err != nil {
		return []byte("# withheld: the scenario's YAML could not be redacted\n")
	}
	return buf.Bytes()
}

// redactNode redacts in place and reports whether it changed anything.
func redactNode(n *yaml.Node) bool {
	changed := false
	if n.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			switch {
			case secretKeys[k.Value] && v.Kind == yaml.ScalarNode && v.Value != "":
				v.Value, v.Tag, v.Style = Redacted, "!!str", 0
				changed = true
			case k.Value == "endpoint" && v.Kind == yaml.ScalarNode:
				if r := RedactURL(v.Value); r != v.Value {
					v.Value = r
					changed = true
				}
			}
		}
	}
	if n.Kind == yaml.AliasNode {
		return false // the anchor it points to is redacted where it is defined
	}
	for _, c := range n.Content {
		if redactNode(c) {
			changed = true
		}
	}
	return changed
}

// RedactURL hides the password of a URL with credentials; other strings come back
// unchanged.
func RedactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.User == nil {
		return s
	}
	if _, has := u.User.Password(); !has {
		return s
	}
	return strings.Replace(u.Redacted(), ":xxxxx@", ":"+Redacted+"@", 1)
}
