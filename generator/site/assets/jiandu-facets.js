/*
 * jiandu — facet filters, a reusable component (the search page uses it; listing pages may too).
 *
 *   JianduFacets.render(container, facets, selected, onChange)
 *     facets:   [{name, label, values: [[value, count], ...]}, ...]   (values in display order)
 *     selected: {name: [value, ...]}; onChange(newSelected) is called when a box is ticked or cleared.
 *     Each facet is a <fieldset> of native checkboxes (Tab / Space work), a count beside each value,
 *     long lists folded behind a “更多” button. Values come from case files: set as text, never as HTML.
 *   JianduFacets.readState(hash) / JianduFacets.writeState(state)
 *     state {q, sort, filters} <-> "#q=…&sort=date&f.region=昆明市" — shareable, and it works on file://.
 * Written for this project; no network access.
 */
(function (global) {
  "use strict";
  var SHOWN = 8;

  function readState(hash) {
    var params = new URLSearchParams(String(hash || "").replace(/^#/, ""));
    var state = { q: params.get("q") || "", sort: params.get("sort") === "date" ? "date" : "relevance", filters: {} };
    params.forEach(function (value, key) {
      if (key.indexOf("f.") === 0 && value) {
        var name = key.slice(2);
        (state.filters[name] = state.filters[name] || []).push(value);
      }
    });
    return state;
  }

  function writeState(state) {
    var params = new URLSearchParams();
    if (state.q) params.append("q", state.q);
    if (state.sort === "date") params.append("sort", "date");
    Object.keys(state.filters || {}).sort().forEach(function (name) {
      state.filters[name].forEach(function (value) { params.append("f." + name, value); });
    });
    var text = params.toString();
    return text ? "#" + text : "";
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function render(container, facets, selected, onChange) {
    var chosen = {}, focused = focusedBox(container);
    Object.keys(selected || {}).forEach(function (name) { chosen[name] = selected[name].slice(); });
    container.textContent = "";
    facets.forEach(function (facet, f) {
      var values = facet.values.slice(), picked = chosen[facet.name] || [];
      picked.forEach(function (value) {  /* a chosen value stays visible even when nothing matches it now */
        if (!values.some(function (vc) { return vc[0] === value; })) values.push([value, 0]);
      });
      if (!values.length) return;
      var box = element("fieldset", "jiandu-facet");
      box.appendChild(element("legend", "", facet.label));
      var list = element("ul", "jiandu-facet-values");
      values.forEach(function (vc, i) {
        var item = element("li"), label = element("label"), input = element("input");
        input.type = "checkbox";
        input.value = vc[0];
        input.id = "jiandu-facet-" + f + "-" + i;
        input.setAttribute("data-facet", facet.name);
        input.checked = picked.indexOf(vc[0]) >= 0;
        input.addEventListener("change", function () {
          var now = (chosen[facet.name] || []).filter(function (v) { return v !== vc[0]; });
          if (input.checked) now.push(vc[0]);
          if (now.length) chosen[facet.name] = now; else delete chosen[facet.name];
          onChange(chosen);
        });
        label.appendChild(input);
        label.appendChild(element("span", "jiandu-facet-value", vc[0]));
        label.appendChild(element("span", "jiandu-facet-count", "（" + vc[1] + "）"));
        item.appendChild(label);
        if (i >= SHOWN && !input.checked) item.hidden = true;
        list.appendChild(item);
      });
      box.appendChild(list);
      var hidden = list.querySelectorAll("li[hidden]");
      if (hidden.length) {
        var more = element("button", "jiandu-facet-more", "更多（" + hidden.length + "）");
        more.type = "button";
        more.setAttribute("aria-expanded", "false");
        more.addEventListener("click", function () {
          hidden.forEach(function (li) { li.hidden = false; });
          more.remove();
        });
        box.appendChild(more);
      }
      container.appendChild(box);
    });
    if (focused) refocus(container, focused);
  }

  /* A keyboard user who ticks a box keeps focus on it after the counts are redrawn. */
  function focusedBox(container) {
    var active = document.activeElement;
    if (!active || active.type !== "checkbox" || !container.contains(active)) return null;
    return { name: active.getAttribute("data-facet"), value: active.value };
  }

  function refocus(container, focused) {
    var boxes = container.querySelectorAll("input[type=checkbox]");
    for (var i = 0; i < boxes.length; i++) {
      if (boxes[i].getAttribute("data-facet") === focused.name && boxes[i].value === focused.value) {
        boxes[i].closest("li").hidden = false;
        boxes[i].focus();
        return;
      }
    }
  }

  global.JianduFacets = { render: render, readState: readState, writeState: writeState };
})(window);
