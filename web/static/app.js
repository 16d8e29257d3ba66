// kominkan: small, optional enhancements. Every page is complete without this
// file (docs/web.md); nothing here is needed to read or to book.
//
// Live refresh of the top page's table: every 60 s (and when the tab becomes
// visible again) the table of today's free rooms per centre is updated from
// /api/v1/today, the same cached feed the page was rendered from. The text
// is the server's: "○空き N室", "×空きなし", "ー休館", "ー受付終了", "△窓口のみ".
(function () {
  'use strict';

  var table = document.getElementById('today-table');
  if (!table || !window.fetch) return;
  var url = table.getAttribute('data-feed');
  var note = document.getElementById('today-updated');
  var timer = null;

  function cell(td, cls, sym, text) {
    td.className = 'st ' + cls;
    while (td.firstChild) td.removeChild(td.firstChild);
    var s = document.createElement('span');
    s.className = 'sym';
    s.setAttribute('aria-hidden', 'true');
    s.textContent = sym;
    td.appendChild(s);
    td.appendChild(document.createTextNode(text));
  }

  function apply(feed) {
    if (!feed || feed.date !== table.getAttribute('data-date')) {
      // the day changed under us: the whole page is stale, reload it
      if (feed && feed.date) window.location.reload();
      return;
    }
    (feed.centers || []).forEach(function (c) {
      var row = table.querySelector('tr[data-center="' + c.code + '"]');
      if (!row) return;
      var tds = row.querySelectorAll('td[data-slot]');
      Array.prototype.forEach.call(tds, function (td) {
        var slot = td.getAttribute('data-slot');
        if (c.closed) { cell(td, 'st-closed', 'ー', '休館'); return; }
        // as the server counts: only what can be booked now is free (core/bookable.c)
        var free = 0, over = 0, counter = 0;
        (c.rooms || []).forEach(function (r) {
          (r.slots || []).forEach(function (s) {
            if (s.code !== slot) return;
            if (s.state === 'free' && s.booking === 'open') free++;
            if (s.booking === 'over') over++;
            if (s.booking === 'counter_only') counter++;
          });
        });
        if (!free && counter) cell(td, 'st-counter', '△', '窓口のみ');
        else if (!free && over) cell(td, 'st-past', 'ー', '受付終了');
        else if (free > 0) cell(td, 'st-free', '○', '空き ' + free + '室');
        else cell(td, 'st-taken', '×', '空きなし');
      });
    });
    if (note && feed.generated_at) {
      var t = feed.generated_at.slice(11, 16).split(':');
      note.textContent = '(自動で更新: ' + t[0] + '時' + t[1] + '分)';
    }
  }

  function refresh() {
    fetch(url, { headers: { Accept: 'application/json' }, cache: 'no-cache' })
      .then(function (res) { return res.ok ? res.json() : null; })
      .then(apply)
      .catch(function () { /* offline: keep what is shown */ });
  }

  function start() {
    if (timer) return;
    timer = window.setInterval(refresh, 60000);
  }
  function stop() {
    if (timer) window.clearInterval(timer);
    timer = null;
  }

  document.addEventListener('visibilitychange', function () {
    if (document.hidden) stop();
    else { refresh(); start(); }
  });
  start();
})();
