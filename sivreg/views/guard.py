"""The page guard: the two things the dashboard must do in the browser itself, because they
must happen before anything reaches the kernel or the page goes away (issue 12, item 2).

* "Leave page?": while there are answers not yet downloaded, closing or reloading the page
  asks first (the browser's own `beforeunload` prompt). Python raises `revision` on every
  change; a click on the save link marks that revision as saved.
* A file over the size limit is refused before it is sent: the upload's file input is
  checked in the capture phase, so a 10 MB file never travels over the WebSocket (where it
  dropped the connection without a word); Python is told its name and size and says why.

Built with anywidget (a small ES module, no build step, nothing fetched from elsewhere).
"""
from __future__ import annotations

import anywidget
import traitlets

_ESM = r"""
function render({ model, el }) {
  el.style.display = "none";
  el.dataset.svGuard = "ready";
  let saved = model.get("revision");
  const dirty = () => {
    const r = model.get("revision");
    return r > 0 && r !== saved && r !== model.get("saved_revision");
  };
  const onUnload = (e) => {
    if (!dirty()) return;
    e.preventDefault();
    e.returnValue = model.get("message");
    return model.get("message");
  };
  const onClick = (e) => {
    const a = e.target && e.target.closest && e.target.closest(".sv-save a");
    if (a) saved = model.get("revision");
  };
  const onChange = (e) => {
    const input = e.target;
    if (!input || input.type !== "file" || !input.closest || !input.closest(".sv-upload")) return;
    const f = input.files && input.files[0];
    if (f && f.size > model.get("max_bytes")) {
      e.stopImmediatePropagation();
      e.stopPropagation();
      input.value = "";
      model.set("rejected", { name: f.name, size: f.size, at: Date.now() });
      model.save_changes();
      return;
    }
    // let the upload read the file, then clear the input so the same file can be chosen again
    setTimeout(() => { input.value = ""; }, 0);
  };
  window.addEventListener("beforeunload", onUnload);
  document.addEventListener("click", onClick, true);
  document.addEventListener("change", onChange, true);
  return () => {
    window.removeEventListener("beforeunload", onUnload);
    document.removeEventListener("click", onClick, true);
    document.removeEventListener("change", onChange, true);
  };
}
export default { render };
"""


class PageGuard(anywidget.AnyWidget):
    """Invisible; see the module docstring."""

    _esm = _ESM
    revision = traitlets.Int(0).tag(sync=True)        # raised on every change of the answers
    saved_revision = traitlets.Int(0).tag(sync=True)  # a revision that is in a file (resumed)
    message = traitlets.Unicode("").tag(sync=True)    # shown by browsers that still show text
    max_bytes = traitlets.Int(1_000_000).tag(sync=True)
    rejected = traitlets.Dict({}).tag(sync=True)      # {name, size} of a file refused in the page
