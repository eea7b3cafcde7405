package local

import (
	"encoding/json"
	"html/template"
	"net/http"
	"os"
	"path/filepath"
	"strings"
)

// DocsPath is where the gateway serves the API documents, outside the
// template's routes: the page at /docs, each document of docs/openapi at
// /docs/openapi/<name>.yaml, and swagger-ui-dist (installed by
// infra/localstack's lockfile) under /docs/swagger-ui/.
const DocsPath = "/docs"

// DocsHandler serves DocsPath from the repository at root: the documents
// as they are on disk (an edit shows at the next reload), the page
// rendering them with swagger-ui-dist from infra/localstack/node_modules.
// Anything else under DocsPath is 404; methods other than GET and HEAD
// are 405.
func DocsHandler(root string) http.Handler {
	documents := filepath.Join(root, "docs", "openapi")
	ui := filepath.Join(root, "infra", "localstack", "node_modules", "swagger-ui-dist")
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+DocsPath+"/{$}", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, DocsPath, http.StatusMovedPermanently)
	})
	mux.HandleFunc("GET "+DocsPath, func(w http.ResponseWriter, r *http.Request) {
		files, _ := filepath.Glob(filepath.Join(documents, "*.yaml"))
		type doc struct {
			URL  string `json:"url"`
			Name string `json:"name"`
		}
		var docs []doc
		for _, f := range files {
			docs = append(docs, doc{URL: DocsPath + "/openapi/" + filepath.Base(f), Name: strings.TrimSuffix(filepath.Base(f), ".yaml")})
		}
		urls, _ := json.Marshal(docs)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-cache")
		_ = docsPage.Execute(w, map[string]any{"URLs": template.JS(urls), "Base": DocsPath})
	})
	mux.HandleFunc("GET "+DocsPath+"/openapi/{name}", func(w http.ResponseWriter, r *http.Request) {
		name := r.PathValue("name")
		if !strings.HasSuffix(name, ".yaml") || strings.ContainsAny(name, `/\`) {
			http.NotFound(w, r)
			return
		}
		data, err := os.ReadFile(filepath.Join(documents, name))
		if err != nil {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/yaml; charset=utf-8")
		w.Header().Set("Cache-Control", "no-cache")
		_, _ = w.Write(data)
	})
	mux.Handle("GET "+DocsPath+"/swagger-ui/", http.StripPrefix(DocsPath+"/swagger-ui/", http.FileServer(http.Dir(ui))))
	return mux
}

// docsPage is the documentation page: swagger-ui with every document of
// docs/openapi to choose from.
var docsPage = template.Must(template.New("docs").Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>caseflow API documents</title>
<link rel="stylesheet" href="{{.Base}}/swagger-ui/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="{{.Base}}/swagger-ui/swagger-ui-bundle.js"></script>
<script src="{{.Base}}/swagger-ui/swagger-ui-standalone-preset.js"></script>
<script>
window.ui = SwaggerUIBundle({
  urls: {{.URLs}},
  dom_id: "#swagger-ui",
  presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
  layout: "StandaloneLayout"
});
</script>
</body>
</html>
`))

// withDocs serves DocsPath with docs and everything else with api.
func withDocs(docs, api http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if p := r.URL.Path; p == DocsPath || strings.HasPrefix(p, DocsPath+"/") {
			docs.ServeHTTP(w, r)
			return
		}
		api.ServeHTTP(w, r)
	})
}
