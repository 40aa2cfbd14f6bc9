// A local stand-in for https://appsforoffice.microsoft.com/lib/1/hosted/office.js, served by the browser
// tests (test/support/browser.ts routes the CDN URL here). It provides only what the pane uses.
//
// Default: behaves like the real office.js in a plain browser: Office.onReady resolves with
// { host: null, platform: null } and Office.context has no mailbox, so the pane runs standalone.
// Simulating Outlook: set these before the page loads (simulateOutlook() in browser.ts does it):
//   window.__officeStubHost = 'Outlook'           onReady resolves with { host: 'Outlook', platform: 'OfficeOnline' }
//   window.__officeStubContext = { ... }          merged over the default Office.context (e.g. mailbox.userProfile)
// Like the real library it removes history.pushState/replaceState (office-addins.md §1).
(function () {
  'use strict';
  var host = window.__officeStubHost || null;
  var platform = host ? window.__officeStubPlatform || 'OfficeOnline' : null;

  function merge(target, extra) {
    if (!extra) return target;
    Object.keys(extra).forEach(function (key) {
      var value = extra[key];
      if (value && typeof value === 'object' && !Array.isArray(value) && target[key] && typeof target[key] === 'object') merge(target[key], value);
      else target[key] = value;
    });
    return target;
  }

  // Per-mailbox settings kept in memory for the page's life (Office.context.roamingSettings).
  function roamingSettings() {
    var values = {};
    return {
      get: function (name) { return Object.prototype.hasOwnProperty.call(values, name) ? values[name] : undefined; },
      set: function (name, value) { values[name] = value; },
      remove: function (name) { delete values[name]; },
      saveAsync: function (callback) { if (callback) setTimeout(function () { callback({ status: 'succeeded', value: undefined }); }, 0); },
    };
  }

  // Office.context.ui: displayDialogAsync opens a real pop-up window and relays what the dialog page sends
  // with messageParent (window.opener.postMessage); a window the user closes reports 12006, as Office does.
  function dialogUi() {
    return {
      displayDialogAsync: function (url, _options, callback) {
        var popup = window.open(url, '_blank', 'width=480,height=640');
        if (!popup) {
          if (callback) callback({ status: 'failed', error: { code: 12009, message: 'The dialog was blocked.' } });
          return;
        }
        var handlers = {};
        var closedByAddin = false;
        function onMessage(event) {
          if (event.source !== popup || !event.data || event.data.__officeStubDialog !== true) return;
          if (handlers.dialogMessageReceived) handlers.dialogMessageReceived({ message: event.data.message, origin: event.origin });
        }
        window.addEventListener('message', onMessage);
        var watch = setInterval(function () {
          if (!popup.closed) return;
          clearInterval(watch);
          window.removeEventListener('message', onMessage);
          if (!closedByAddin && handlers.dialogEventReceived) handlers.dialogEventReceived({ error: 12006 });
        }, 100);
        var dialog = {
          addEventHandler: function (type, handler) { handlers[type] = handler; },
          close: function () { closedByAddin = true; popup.close(); },
        };
        setTimeout(function () { if (callback) callback({ status: 'succeeded', value: dialog }); }, 0);
      },
      messageParent: function (message) {
        if (window.opener) window.opener.postMessage({ __officeStubDialog: true, message: String(message) }, '*');
      },
    };
  }

  var itemHandlers = {};
  window.__officeStubSelectItem = function (item) {
    context.mailbox.item = item;
    var handler = itemHandlers.olkItemSelectedChanged;
    if (handler) handler({ type: 'olkItemSelectedChanged' });
  };

  var context = { contentLanguage: 'en-US', displayLanguage: 'en-US', ui: dialogUi(), requirements: { isSetSupported: function () { return false; } } };
  if (host === 'Outlook') {
    context = {
      contentLanguage: 'en-US',
      displayLanguage: 'en-US',
      partitionKey: 'stub-partition',
      roamingSettings: roamingSettings(),
      ui: dialogUi(),
      requirements: {
        // Mailbox up to 1.13, as a current Outlook on the web; nothing else.
        isSetSupported: function (name, version) {
          if (String(name).toLowerCase() !== 'mailbox') return false;
          var parts = String(version || '1.1').split('.');
          return Number(parts[0]) === 1 && Number(parts[1] || 0) <= 13;
        },
      },
      mailbox: {
        diagnostics: { hostName: 'OutlookWebApp', hostVersion: '16.0.0.0' },
        userProfile: { displayName: 'Alice Example', emailAddress: 'alice@example.com', timeZone: 'UTC' },
        item: null,
        // Handlers are kept so a test can play a pinned pane's selection: window.__officeStubSelectItem(item | null).
        addHandlerAsync: function (type, handler, callback) {
          itemHandlers[type] = handler;
          if (callback) callback({ status: 'succeeded' });
        },
        removeHandlerAsync: function (type, callback) {
          delete itemHandlers[type];
          if (callback) callback({ status: 'succeeded' });
        },
      },
    };
  }
  merge(context, window.__officeStubContext);

  var info = { host: host, platform: platform };
  var ready = new Promise(function (resolve) { setTimeout(function () { resolve(info); }, 0); });

  var Office = {
    isStub: true,
    HostType: { Outlook: 'Outlook', Word: 'Word', Excel: 'Excel', PowerPoint: 'PowerPoint', OneNote: 'OneNote', Project: 'Project', Access: 'Access' },
    PlatformType: { PC: 'PC', OfficeOnline: 'OfficeOnline', Mac: 'Mac', iOS: 'iOS', Android: 'Android', Universal: 'Universal' },
    AsyncResultStatus: { Succeeded: 'succeeded', Failed: 'failed' },
    EventType: { ItemChanged: 'olkItemSelectedChanged', DialogMessageReceived: 'dialogMessageReceived', DialogEventReceived: 'dialogEventReceived' },
    context: context,
    onReady: function (callback) {
      return ready.then(function (value) {
        if (callback) callback(value);
        return value;
      });
    },
    actions: { associate: function () {} },
  };
  ready.then(function () { if (typeof Office.initialize === 'function') Office.initialize(host ? 'inserted' : undefined); });

  window.Office = Office;
  try {
    window.history.pushState = null;
    window.history.replaceState = null;
  } catch (e) {
    /* read-only in some engines: nothing to undo */
  }
})();
