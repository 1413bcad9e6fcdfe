// The request that served this page, drawn at its foot.
//
// `cargo run --example read_book` serves the book with the port's own server and
// records the chain of hooks of every request it answers (examples/read_book.rs,
// `ChainRecorder`); `/__chain?page=/one-request.html` answers with the chain of the
// newest request for that page. Opened from file://, or served by another server
// (a 404, an HTML page, no answer), the page gets no panel, and no error either.
(function () {
    "use strict";

    if (location.protocol !== "http:" && location.protocol !== "https:") {
        return;
    }

    // read_book's answer, and nothing else: {method, path, status, thread,
    // request_on_connection, hooks: [{name, depth, start_us, duration_us}, ...]},
    // `handle_one_request` first.
    function isChain(chain) {
        return chain !== null && typeof chain === "object"
            && typeof chain.method === "string"
            && typeof chain.path === "string"
            && typeof chain.thread === "string"
            && Number.isInteger(chain.status)
            && Number.isInteger(chain.request_on_connection)
            && Array.isArray(chain.hooks) && chain.hooks.length > 0
            && chain.hooks.every(function (hook) {
                return hook !== null && typeof hook === "object"
                    && typeof hook.name === "string"
                    && Number.isInteger(hook.depth)
                    && Number.isFinite(hook.start_us)
                    && Number.isFinite(hook.duration_us);
            });
    }

    function time(us) {
        return us < 1000 ? us + " µs" : (us / 1000).toFixed(2) + " ms";
    }

    function element(tag, className, text) {
        var node = document.createElement(tag);
        if (className) {
            node.className = className;
        }
        if (text !== undefined) {
            node.textContent = text;
        }
        return node;
    }

    var STATUS = {
        200: "200 OK",
        304: "304 Not Modified (the browser had it: no body sent)",
    };

    function draw(chain, main) {
        // handle_one_request starts by waiting for the request line (readline); its
        // first nested hook, parse_request, starts when the line has come. The bars
        // show the request from then to handle_one_request's return.
        var request = chain.hooks[0];
        var arrived = chain.hooks.length > 1 ? chain.hooks[1].start_us : request.start_us;
        var end = request.start_us + request.duration_us;
        var span = Math.max(end - arrived, 1);

        var panel = element("aside", "request-chain");
        panel.id = "request-chain";
        panel.setAttribute("aria-label", "The request that served this page");

        var title = element("p", "request-chain-title");
        title.append(
            element("strong", null, "The request that served this page"),
            " (read_book records each one): ",
            element("code", null, chain.method + " " + chain.path)
        );
        var where = element("p", null,
            chain.thread + " \u00b7 request " + chain.request_on_connection
            + " on its connection \u00b7 " + (STATUS[chain.status] || String(chain.status)));
        var wait = element("p", null,
            "handle_one_request waited " + time(arrived - request.start_us)
            + " for the request line, then:");

        var hooks = element("ol", "request-chain-hooks");
        chain.hooks.forEach(function (hook) {
            var from = Math.max(hook.start_us, arrived);
            var to = Math.max(hook.start_us + hook.duration_us, from);
            var row = element("li");
            row.title = hook.name + ": starts at +" + time(hook.start_us)
                + ", runs " + time(hook.duration_us);
            var name = element("code", "request-chain-name", hook.name);
            name.style.paddingInlineStart = hook.depth * 1.25 + "em";
            var track = element("span", "request-chain-track");
            var bar = element("span", "request-chain-bar");
            bar.style.left = Math.min(100, 100 * (from - arrived) / span) + "%";
            bar.style.width = Math.min(100, 100 * (to - from) / span) + "%";
            track.append(bar);
            row.append(name, track, element("span", "request-chain-time", time(hook.duration_us)));
            hooks.append(row);
        });

        panel.append(title, where, wait, hooks);
        main.append(panel);
        // The panel came after the page: a link to it (`#request-chain`) scrolls now.
        if (location.hash === "#request-chain") {
            panel.scrollIntoView();
        }
    }

    function ask() {
        var main = document.querySelector("main");
        if (!main) {
            return;
        }
        fetch("/__chain?page=" + encodeURIComponent(location.pathname), { cache: "no-store" })
            .then(function (response) {
                var type = response.headers.get("Content-Type") || "";
                return response.ok && type.indexOf("application/json") === 0
                    ? response.json() : null;
            })
            .then(function (chain) {
                if (isChain(chain)) {
                    draw(chain, main);
                }
            })
            .catch(function () {});
    }

    if (document.readyState === "complete") {
        ask();
    } else {
        window.addEventListener("load", ask);
    }
})();
