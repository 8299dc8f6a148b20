// The desk's behaviour: keyboard review of the queue, toasts for refused actions, confirm
// prompts, "select all", and drag-and-drop ordering of an issue. No inline scripts anywhere:
// the Content-Security-Policy forbids them, so crawled text can never smuggle one in.
(function () {
  "use strict";

  // 1–9, 0, -, = pick the sectors in 6+3+3 order (matches SECTOR_KEYS in desk/web_common.py).
  var SECTOR_KEYS = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "0", "-", "="];
  var current = -1;
  var advanceAfterSwap = false;

  function rows() {
    return Array.prototype.slice.call(document.querySelectorAll(".queue-page .item, .item-page .item"));
  }

  function mark(index, scroll) {
    var all = rows();
    if (!all.length) { current = -1; return null; }
    current = Math.max(0, Math.min(index, all.length - 1));
    all.forEach(function (row, i) { row.classList.toggle("current", i === current); });
    if (scroll) { all[current].scrollIntoView({ block: "nearest" }); }
    return all[current];
  }

  function currentRow() {
    var all = rows();
    if (current < 0 || current >= all.length) { return mark(0, true); }
    return all[current];
  }

  function toast(message) {
    var box = document.getElementById("toast");
    if (!box) { return; }
    box.textContent = message;  // textContent: a server message is never parsed as HTML
    box.hidden = false;
    clearTimeout(box._timer);
    box._timer = setTimeout(function () { box.hidden = true; }, 5000);
  }

  function act(row, selector) {
    var button = row && row.querySelector(selector);
    if (button && !button.disabled) {
      advanceAfterSwap = selector !== ".btn.edit" && selector !== ".btn.undo";
      button.click();
      return true;
    }
    return false;
  }

  function resector(row, key) {
    var select = row && row.querySelector("select.resector");
    var index = SECTOR_KEYS.indexOf(key);
    if (!select || index < 0) { return; }
    var option = select.options[index + 1];  // options[0] is the "改分类…" prompt
    if (!option || option.disabled) { return; }
    select.value = option.value;
    advanceAfterSwap = true;
    htmx.trigger(select, "change");
  }

  function typing(target) {
    var tag = (target.tagName || "").toLowerCase();
    return tag === "input" || tag === "textarea" || tag === "select" || target.isContentEditable;
  }

  document.addEventListener("keydown", function (event) {
    var editing = event.target.closest && event.target.closest(".edit-form");
    if (event.key === "Escape" && editing) {  // Esc leaves an inline edit unchanged
      var cancel = editing.querySelector("button[type=button]");
      if (cancel) { cancel.click(); }
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) { return; }
    if (!document.body.classList.contains("queue-page") && !document.body.classList.contains("item-page")) { return; }
    var key = event.key;
    var row = null;
    var onItemPage = document.body.classList.contains("item-page");
    var walk = onItemPage && { j: "next-item", k: "prev-item", ArrowRight: "next-item", ArrowLeft: "prev-item" }[key];
    if (walk) {
      var target = document.getElementById(walk);
      if (target) { window.location.href = target.href; }
      event.preventDefault();
      return;
    }
    if (key === "j") { mark(current + 1, true); }
    else if (key === "k") { mark(current - 1, true); }
    else if (key === "a") { act(currentRow(), ".btn.accept"); }
    else if (key === "r") { act(currentRow(), ".btn.reject"); }
    else if (key === "e") { act(currentRow(), ".btn.edit"); }
    else if (key === "u") { act(currentRow(), ".btn.undo"); }
    else if (key === "x") {
      row = currentRow();
      var box = row && row.querySelector("input.pick");
      if (box) { box.checked = !box.checked; }
    }
    else if (key === "o" || key === "Enter") {
      row = currentRow();
      var link = row && row.querySelector(".item-title a");
      if (link) { window.location.href = link.href; }
    }
    else if (key === "/") {
      var search = document.getElementById("search");
      if (search) { search.focus(); search.select(); }
    }
    else if (SECTOR_KEYS.indexOf(key) >= 0) { resector(currentRow(), key); }
    else { return; }
    event.preventDefault();
  });

  // Whatever the mouse touches becomes the current row, so j/k continue from there.
  function follow(event) {
    var row = event.target.closest && event.target.closest(".item");
    if (row) { mark(rows().indexOf(row), false); }
  }
  document.addEventListener("click", follow);
  document.addEventListener("focusin", follow);
  document.addEventListener("change", follow);

  document.addEventListener("change", function (event) {
    if (event.target.id === "pick-all") {
      document.querySelectorAll("input.pick").forEach(function (box) { box.checked = event.target.checked; });
    }
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.classList.contains("confirm") && !window.confirm(form.dataset.confirm)) {
      event.preventDefault();
    }
  });

  document.addEventListener("htmx:responseError", function (event) {
    var xhr = event.detail.xhr;
    toast(xhr.responseText || ("操作失败（" + xhr.status + "）"));
    advanceAfterSwap = false;
  });

  document.addEventListener("htmx:sendError", function () { toast("无法连接编辑台服务器"); });

  document.addEventListener("htmx:afterSettle", function (event) {
    if (event.detail.target && event.detail.target.id === "sections") { initSortable(); }
    if (current >= 0) {
      mark(current + (advanceAfterSwap ? 1 : 0), advanceAfterSwap);
    }
    advanceAfterSwap = false;
  });

  // Drag and drop: after a drop, post the whole order; the server redraws the sections.
  function initSortable() {
    var holder = document.getElementById("sections");
    if (!holder || typeof Sortable === "undefined") { return; }
    holder.querySelectorAll("ol.sortable").forEach(function (list) {
      Sortable.create(list, {
        // forceFallback: mouse-driven dragging behaves the same in every browser and on touch.
        group: "issue", handle: ".handle", animation: 120, forceFallback: true,
        onEnd: function () {
          var lines = [];
          holder.querySelectorAll("ol.sortable").forEach(function (ol) {
            ol.querySelectorAll("li[data-key]").forEach(function (li) {
              lines.push(ol.dataset.section + "\t" + li.dataset.key);
            });
          });
          htmx.ajax("POST", holder.dataset.arrangeUrl, {
            source: holder, target: "#sections", swap: "outerHTML", values: { order: lines.join("\n") }
          });
        }
      });
    });
    // Marks the redrawn sections as draggable (browser tests wait for it before dragging).
    holder.dataset.sortableReady = "1";
  }

  // 编者的话 is saved as the editor types (htmx on #meta-form). Until a save has come back the
  // form is "dirty": leaving the page, or submitting another form on it, saves it first, so a
  // typed note is never lost to a click on 加入本期 or 导出.
  var metaDirty = false;

  function metaForm() { return document.getElementById("meta-form"); }

  function saveMeta() {
    var form = metaForm();
    var data = new FormData(form);
    data.append("autosave", "1");
    return fetch(form.action, { method: "POST", body: data, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) { return response.text().then(function (text) { throw new Error(text); }); }
        metaDirty = false;
        return response.text();
      });
  }

  document.addEventListener("input", function (event) {
    var form = metaForm();
    if (form && form.contains(event.target)) {
      metaDirty = true;
      var state = document.getElementById("save-state");
      if (state) { state.textContent = "正在保存…"; state.className = "save-state pending"; }
    }
  });

  document.addEventListener("htmx:afterRequest", function (event) {
    if (event.detail.elt === metaForm() && event.detail.successful) { metaDirty = false; }
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!metaDirty || form === metaForm()) { return; }
    event.preventDefault();
    event.stopImmediatePropagation();
    var submitter = event.submitter;
    saveMeta().then(function () { form.requestSubmit(submitter); })
      .catch(function (error) { toast("编者的话未能保存：" + error.message); });
  }, true);

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[href]");
    if (!metaDirty || !link || link.target) { return; }
    event.preventDefault();
    saveMeta().then(function () { window.location.href = link.href; })
      .catch(function (error) { toast("编者的话未能保存：" + error.message); });
  }, true);

  window.addEventListener("beforeunload", function (event) {
    if (!metaDirty) { return; }
    var form = metaForm();
    var data = new FormData(form);
    data.append("autosave", "1");
    if (navigator.sendBeacon && navigator.sendBeacon(form.action, data)) { return; }
    event.preventDefault();
    event.returnValue = "";
  });

  document.addEventListener("DOMContentLoaded", function () {
    if (document.body.classList.contains("queue-page") && rows().length) { mark(0, false); }
    initSortable();
  });
})();
