package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/pwemu/pwemu/emulator/catalog"
)

func newMethods(stdout io.Writer) *cobra.Command {
	var asJSON, asMarkdown bool
	cmd := &cobra.Command{
		Use:   "methods [--json | --markdown]",
		Short: "List the Pushwoosh endpoints pwemu emulates (GET /_pwemu/methods answers the same)",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			list := catalog.Listings()
			switch {
			case asJSON && asMarkdown:
				return &exitError{code: 2, err: fmt.Errorf("--json and --markdown exclude each other")}
			case asJSON:
				enc := json.NewEncoder(stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(list)
			case asMarkdown:
				_, err := io.WriteString(stdout, methodsMarkdown(list))
				return err
			}
			tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "METHOD\tPATH\tFAMILY\tAUTH")
			for _, l := range list {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", l.Method, l.Path, l.Family, l.Auth)
			}
			return tw.Flush()
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, `print the JSON array of {"method","path","family","auth"}`)
	cmd.Flags().BoolVar(&asMarkdown, "markdown", false, "print the README's table")
	return cmd
}

// methodsMarkdown is the README's table of the emulated endpoints.
func methodsMarkdown(list []catalog.Listing) string {
	var b strings.Builder
	b.WriteString("| method | path | family | auth |\n|---|---|---|---|\n")
	for _, l := range list {
		fmt.Fprintf(&b, "| %s | `%s` | %s | %s |\n", l.Method, strings.ReplaceAll(l.Path, "|", `\|`), l.Family, l.Auth) // a bare | would end the cell
	}
	return b.String()
}
