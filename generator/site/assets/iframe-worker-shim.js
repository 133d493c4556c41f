/*
 * jiandu — Web Worker stand-in for pages opened from the file system.
 *
 * Browsers refuse `new Worker(url)` for file:// pages, which would leave the
 * site search dead when the site folder is opened directly. On file:// this
 * replaces `Worker` with an object that runs the worker script inside a hidden
 * same-origin iframe and passes messages both ways. Served over http(s) it
 * does nothing. Written for this project; no network access.
 */
(function () {
  "use strict";
  if (location.protocol !== "file:" || typeof window === "undefined") return;

  function loadScript(doc, src) {
    return new Promise(function (resolve, reject) {
      var script = doc.createElement("script");
      script.src = src;
      script.onload = function () { resolve(); };
      script.onerror = function () { reject(new Error("无法加载脚本：" + src)); };
      doc.head.appendChild(script);
    });
  }

  class FileWorker extends EventTarget {
    constructor(url) {
      super();
      this.onmessage = null;
      this.onerror = null;
      this._pending = [];
      this._ready = false;
      var frame = document.createElement("iframe");
      frame.setAttribute("aria-hidden", "true");
      frame.tabIndex = -1;
      frame.style.display = "none";
      (document.body || document.documentElement).appendChild(frame);
      this._frame = frame;
      var scope = frame.contentWindow;
      var worker = this;
      var base = new URL(url, document.baseURI);
      scope.postMessage = function (data) {
        setTimeout(function () { worker._emit("message", data); }, 0);
      };
      scope.importScripts = function () {
        var urls = Array.prototype.slice.call(arguments);
        return urls.reduce(function (chain, src) {
          return chain.then(function () { return loadScript(scope.document, new URL(src, base).href); });
        }, Promise.resolve());
      };
      loadScript(scope.document, base.href).then(function () {
        worker._ready = true;
        worker._pending.splice(0).forEach(function (data) { worker.postMessage(data); });
      }, function (error) {
        worker._emit("error", error);
      });
    }

    postMessage(data) {
      if (!this._ready) { this._pending.push(data); return; }
      var scope = this._frame.contentWindow;
      setTimeout(function () { scope.dispatchEvent(new scope.MessageEvent("message", { data: data })); }, 0);
    }

    terminate() {
      this._frame.remove();
    }

    _emit(type, data) {
      var event = type === "message" ? new MessageEvent("message", { data: data })
                                     : new ErrorEvent("error", { error: data, message: String(data) });
      var handler = type === "message" ? this.onmessage : this.onerror;
      if (typeof handler === "function") handler.call(this, event);
      this.dispatchEvent(event);
    }
  }

  window.Worker = FileWorker;
})();
