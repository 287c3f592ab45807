// The doclinks web page: search, results with their entities highlighted, the chunks of a tag, and a graph
// of a result's neighbourhood that grows on click. Everything comes from the JSON API; every text from the
// store reaches the page through textContent (never innerHTML), and the graph draws labels on a canvas.
"use strict";

(function () {
  var state = window.doclinksServe = {
    ready: false, network: null, nodes: null, edges: null, colors: {}, lastSearch: null,
    lastTag: null, searches: 0, expansions: 0, errors: []
  };
  var $ = function (id) { return document.getElementById(id); };

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function setStatus(text, isError) {
    $("status").textContent = text;
    $("status").className = isError ? "error" : "";
    if (isError) state.errors.push(text);
  }

  function api(path, body) {
    var options = body === undefined ? {} : {
      method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify(body)
    };
    return fetch(path, options).then(function (response) {
      return response.json().then(function (data) {
        if (!response.ok) throw new Error(data.message || ("HTTP " + response.status));
        return data;
      });
    });
  }

  function colorOf(label) { return state.colors[label] || "#ddd"; }

  function mergeColors(colors) {
    Object.keys(colors || {}).forEach(function (label) { state.colors[label] = colors[label]; });
  }

  // The chunk's text with its mentions as <mark> elements (offsets are characters; overlaps skipped).
  function highlighted(text, mentions) {
    var box = el("div", "text");
    var chars = Array.from(text);  // code points: the API's offsets count characters, not UTF-16 units
    var sorted = (mentions || []).slice().sort(function (a, b) { return a.start - b.start || b.end - a.end; });
    var at = 0;
    sorted.forEach(function (m) {
      if (m.start < at || m.end > chars.length) return;
      box.appendChild(document.createTextNode(chars.slice(at, m.start).join("")));
      var mark = el("mark", "ent", chars.slice(m.start, m.end).join(""));
      mark.style.background = colorOf(m.label);
      mark.dataset.label = m.label;
      mark.appendChild(el("span", "ent-label", m.label));
      box.appendChild(mark);
      at = m.end;
    });
    box.appendChild(document.createTextNode(chars.slice(at).join("")));
    return box;
  }

  function tagLink(pair) {
    var link = el("a", "tag", pair.label + ": " + pair.tag);
    link.href = "#";
    link.style.background = colorOf(pair.label);
    link.dataset.kind = pair.kind;
    link.dataset.tag = pair.tag;
    link.addEventListener("click", function (event) { event.preventDefault(); showTag(pair.kind, pair.tag, 0); });
    return link;
  }

  function where(item) {
    var source = (item.source || item.id) + (item.line ? ":" + item.line : "");
    return item.chunk === null || item.chunk === undefined ? source : source + " · chunk " + item.chunk;
  }

  function renderResult(r) {
    var li = el("li", "result");
    li.dataset.id = r.id;
    var meta = el("div", "meta", where(r) + " · depth " + r.depth + " · score " + r.score.toFixed(3));
    var graphButton = el("button", "show-graph", "graph");
    graphButton.type = "button";
    graphButton.addEventListener("click", function () { showGraph(r.id); });
    meta.appendChild(graphButton);
    li.appendChild(meta);
    var reasons = r.via.length ? r.via : r.query_tags;
    if (reasons.length) {
      var via = el("div", "via", r.depth > 0 ? "via " : "named by the question: ");
      reasons.forEach(function (pair) { via.appendChild(tagLink(pair)); });
      li.appendChild(via);
    } else {
      li.appendChild(el("div", "via", "similar to the question"));
    }
    li.appendChild(highlighted(r.text, r.mentions));
    return li;
  }

  function search(event) {
    if (event) event.preventDefault();
    var body = {query: $("query").value, mode: $("mode").value, k: parseInt($("k").value, 10) || 4,
                depth: parseInt($("depth").value, 10) || 0};
    setStatus("Searching…");
    return api("/api/search", body).then(function (data) {
      mergeColors(data.colors);
      state.lastSearch = data;
      var list = $("results");
      list.replaceChildren();
      data.results.forEach(function (r) { list.appendChild(renderResult(r)); });
      $("results-title").hidden = false;
      $("results-title").textContent = data.results.length + " results";
      state.searches += 1;
      setStatus("");
    }).catch(function (error) { setStatus(error.message, true); });
  }

  function showTag(kind, tag, offset) {
    var query = "/api/tags/chunks?kind=" + encodeURIComponent(kind) + "&tag=" + encodeURIComponent(tag) +
      "&offset=" + offset + "&limit=20";
    return api(query).then(function (data) {
      state.lastTag = data;
      $("tag-pane").hidden = false;
      $("tag-title").textContent = data.total + " chunks carry " + data.label + ": " + data.tag;
      var list = $("tag-chunks");
      if (offset === 0) list.replaceChildren();
      data.chunks.forEach(function (c) {
        var li = el("li", "chunk");
        li.dataset.id = c.id;
        li.appendChild(el("div", "meta", where(c)));
        li.appendChild(highlighted(c.text, c.mentions));
        list.appendChild(li);
      });
      var more = $("tag-more");
      more.hidden = data.next_offset === null;
      more.onclick = function () { showTag(kind, tag, data.next_offset); };
      $("tag-pane").scrollIntoView({block: "nearest"});
    }).catch(function (error) { setStatus(error.message, true); });
  }

  function nodeView(node) {
    if (node.type === "chunk") {
      return {id: node.id, label: node.snippet.slice(0, 40) + (node.snippet.length > 40 ? "…" : ""), shape: "box",
              color: {background: "#f4f4f4", border: "#999"}, font: {size: 11}, data: node};
    }
    var hub = node.hub ? " (hub)" : "";
    return {id: node.id, label: node.label + ": " + node.tag + hub, shape: "dot", size: 10 + Math.min(node.degree, 20),
            color: {background: colorOf(node.label), border: "#666"}, font: {size: 12}, data: node};
  }

  function addGraph(graph) {
    mergeColors(graph.colors);
    var before = state.nodes.length;
    graph.nodes.forEach(function (node) { if (!state.nodes.get(node.id)) state.nodes.add(nodeView(node)); });
    graph.edges.forEach(function (edge) {
      var id = edge.source + "\u0001" + edge.target;
      if (!state.edges.get(id)) state.edges.add({id: id, from: edge.source, to: edge.target});
    });
    var cut = graph.truncated ? " " + graph.truncated + " more nodes not shown (node cap)." : "";
    $("graph-note").textContent = state.nodes.length + " nodes, " + state.edges.length + " edges." + cut;
    return state.nodes.length - before;
  }

  function neighbours(params) {
    var query = Object.keys(params).map(function (key) {
      return key + "=" + encodeURIComponent(params[key]);
    }).join("&");
    return api("/api/neighbours?" + query);
  }

  function showGraph(docId) {
    state.nodes.clear();
    state.edges.clear();
    return neighbours({id: docId, depth: 2, max_nodes: 60}).then(function (graph) {
      addGraph(graph);
      $("graph-title").textContent = "Graph around " + (graph.nodes[0] ? where(graph.nodes[0]) : docId);
      state.network.fit();
    }).catch(function (error) { setStatus(error.message, true); });
  }

  function grow(nodeId) {
    var node = state.nodes.get(nodeId);
    if (!node) return Promise.resolve(0);
    var params = node.data.type === "chunk" ? {id: node.data.id.slice("chunk:".length), depth: 2, max_nodes: 40}
                                            : {kind: node.data.kind, tag: node.data.tag, depth: 1, max_nodes: 40};
    return neighbours(params).then(function (graph) {
      var added = addGraph(graph);
      state.expansions += 1;
      return added;
    }).catch(function (error) { setStatus(error.message, true); });
  }
  state.grow = grow;

  function start() {
    state.nodes = new vis.DataSet([]);
    state.edges = new vis.DataSet([]);
    state.network = new vis.Network($("graph"), {nodes: state.nodes, edges: state.edges}, {
      physics: {stabilization: {iterations: 100}, barnesHut: {springLength: 110}},
      interaction: {hover: true}, edges: {color: "#bbb"}
    });
    state.network.on("click", function (params) { if (params.nodes.length) grow(params.nodes[0]); });
    $("search-form").addEventListener("submit", search);
    state.search = search;
    state.showTag = showTag;
    state.showGraph = showGraph;
    state.ready = true;
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
