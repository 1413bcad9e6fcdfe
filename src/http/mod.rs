//! The `http` package: `HTTPStatus`.
//!
//! Python: `Lib/http/__init__.py`. The `http.server` module is [`server`].

pub mod server;

/// One HTTP status code with its reason phrase and the explanation that error pages
/// use.
///
/// Python: a member of `http.HTTPStatus` (an `IntEnum`): `value`, `name`, `phrase`,
/// `description`. The table is CPython 3.11's, which 3.13 renamed in places (413, 414,
/// 416, 422 follow RFC 9110 there); a test compares it with the `python3` at hand.
#[doc(alias = "HTTPStatus")]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HttpStatus {
    /// The code, e.g. 404.
    pub value: u16,
    /// The enum member's name, e.g. `NOT_FOUND`.
    pub name: &'static str,
    /// The reason phrase, e.g. `Not Found`.
    pub phrase: &'static str,
    /// The long explanation, e.g. `Nothing matches the given URI` (may be empty).
    pub description: &'static str,
}

impl HttpStatus {
    /// The status with this code, if CPython 3.11 knows it. Python: `HTTPStatus(code)`.
    pub fn from_code(code: u16) -> Option<&'static HttpStatus> {
        HTTP_STATUSES
            .binary_search_by_key(&code, |s| s.value)
            .ok()
            .map(|i| &HTTP_STATUSES[i])
    }
}

/// Every member of CPython 3.11's `http.HTTPStatus`, in order of code.
pub static HTTP_STATUSES: [HttpStatus; 62] = [
    HttpStatus {
        value: 100,
        name: "CONTINUE",
        phrase: "Continue",
        description: "Request received, please continue",
    },
    HttpStatus {
        value: 101,
        name: "SWITCHING_PROTOCOLS",
        phrase: "Switching Protocols",
        description: "Switching to new protocol; obey Upgrade header",
    },
    HttpStatus {
        value: 102,
        name: "PROCESSING",
        phrase: "Processing",
        description: "",
    },
    HttpStatus {
        value: 103,
        name: "EARLY_HINTS",
        phrase: "Early Hints",
        description: "",
    },
    HttpStatus {
        value: 200,
        name: "OK",
        phrase: "OK",
        description: "Request fulfilled, document follows",
    },
    HttpStatus {
        value: 201,
        name: "CREATED",
        phrase: "Created",
        description: "Document created, URL follows",
    },
    HttpStatus {
        value: 202,
        name: "ACCEPTED",
        phrase: "Accepted",
        description: "Request accepted, processing continues off-line",
    },
    HttpStatus {
        value: 203,
        name: "NON_AUTHORITATIVE_INFORMATION",
        phrase: "Non-Authoritative Information",
        description: "Request fulfilled from cache",
    },
    HttpStatus {
        value: 204,
        name: "NO_CONTENT",
        phrase: "No Content",
        description: "Request fulfilled, nothing follows",
    },
    HttpStatus {
        value: 205,
        name: "RESET_CONTENT",
        phrase: "Reset Content",
        description: "Clear input form for further input",
    },
    HttpStatus {
        value: 206,
        name: "PARTIAL_CONTENT",
        phrase: "Partial Content",
        description: "Partial content follows",
    },
    HttpStatus {
        value: 207,
        name: "MULTI_STATUS",
        phrase: "Multi-Status",
        description: "",
    },
    HttpStatus {
        value: 208,
        name: "ALREADY_REPORTED",
        phrase: "Already Reported",
        description: "",
    },
    HttpStatus {
        value: 226,
        name: "IM_USED",
        phrase: "IM Used",
        description: "",
    },
    HttpStatus {
        value: 300,
        name: "MULTIPLE_CHOICES",
        phrase: "Multiple Choices",
        description: "Object has several resources -- see URI list",
    },
    HttpStatus {
        value: 301,
        name: "MOVED_PERMANENTLY",
        phrase: "Moved Permanently",
        description: "Object moved permanently -- see URI list",
    },
    HttpStatus {
        value: 302,
        name: "FOUND",
        phrase: "Found",
        description: "Object moved temporarily -- see URI list",
    },
    HttpStatus {
        value: 303,
        name: "SEE_OTHER",
        phrase: "See Other",
        description: "Object moved -- see Method and URL list",
    },
    HttpStatus {
        value: 304,
        name: "NOT_MODIFIED",
        phrase: "Not Modified",
        description: "Document has not changed since given time",
    },
    HttpStatus {
        value: 305,
        name: "USE_PROXY",
        phrase: "Use Proxy",
        description: "You must use proxy specified in Location to access this resource",
    },
    HttpStatus {
        value: 307,
        name: "TEMPORARY_REDIRECT",
        phrase: "Temporary Redirect",
        description: "Object moved temporarily -- see URI list",
    },
    HttpStatus {
        value: 308,
        name: "PERMANENT_REDIRECT",
        phrase: "Permanent Redirect",
        description: "Object moved permanently -- see URI list",
    },
    HttpStatus {
        value: 400,
        name: "BAD_REQUEST",
        phrase: "Bad Request",
        description: "Bad request syntax or unsupported method",
    },
    HttpStatus {
        value: 401,
        name: "UNAUTHORIZED",
        phrase: "Unauthorized",
        description: "No permission -- see authorization schemes",
    },
    HttpStatus {
        value: 402,
        name: "PAYMENT_REQUIRED",
        phrase: "Payment Required",
        description: "No payment -- see charging schemes",
    },
    HttpStatus {
        value: 403,
        name: "FORBIDDEN",
        phrase: "Forbidden",
        description: "Request forbidden -- authorization will not help",
    },
    HttpStatus {
        value: 404,
        name: "NOT_FOUND",
        phrase: "Not Found",
        description: "Nothing matches the given URI",
    },
    HttpStatus {
        value: 405,
        name: "METHOD_NOT_ALLOWED",
        phrase: "Method Not Allowed",
        description: "Specified method is invalid for this resource",
    },
    HttpStatus {
        value: 406,
        name: "NOT_ACCEPTABLE",
        phrase: "Not Acceptable",
        description: "URI not available in preferred format",
    },
    HttpStatus {
        value: 407,
        name: "PROXY_AUTHENTICATION_REQUIRED",
        phrase: "Proxy Authentication Required",
        description: "You must authenticate with this proxy before proceeding",
    },
    HttpStatus {
        value: 408,
        name: "REQUEST_TIMEOUT",
        phrase: "Request Timeout",
        description: "Request timed out; try again later",
    },
    HttpStatus {
        value: 409,
        name: "CONFLICT",
        phrase: "Conflict",
        description: "Request conflict",
    },
    HttpStatus {
        value: 410,
        name: "GONE",
        phrase: "Gone",
        description: "URI no longer exists and has been permanently removed",
    },
    HttpStatus {
        value: 411,
        name: "LENGTH_REQUIRED",
        phrase: "Length Required",
        description: "Client must specify Content-Length",
    },
    HttpStatus {
        value: 412,
        name: "PRECONDITION_FAILED",
        phrase: "Precondition Failed",
        description: "Precondition in headers is false",
    },
    HttpStatus {
        value: 413,
        name: "REQUEST_ENTITY_TOO_LARGE",
        phrase: "Request Entity Too Large",
        description: "Entity is too large",
    },
    HttpStatus {
        value: 414,
        name: "REQUEST_URI_TOO_LONG",
        phrase: "Request-URI Too Long",
        description: "URI is too long",
    },
    HttpStatus {
        value: 415,
        name: "UNSUPPORTED_MEDIA_TYPE",
        phrase: "Unsupported Media Type",
        description: "Entity body in unsupported format",
    },
    HttpStatus {
        value: 416,
        name: "REQUESTED_RANGE_NOT_SATISFIABLE",
        phrase: "Requested Range Not Satisfiable",
        description: "Cannot satisfy request range",
    },
    HttpStatus {
        value: 417,
        name: "EXPECTATION_FAILED",
        phrase: "Expectation Failed",
        description: "Expect condition could not be satisfied",
    },
    HttpStatus {
        value: 418,
        name: "IM_A_TEAPOT",
        phrase: "I'm a Teapot",
        description: "Server refuses to brew coffee because it is a teapot.",
    },
    HttpStatus {
        value: 421,
        name: "MISDIRECTED_REQUEST",
        phrase: "Misdirected Request",
        description: "Server is not able to produce a response",
    },
    HttpStatus {
        value: 422,
        name: "UNPROCESSABLE_ENTITY",
        phrase: "Unprocessable Entity",
        description: "",
    },
    HttpStatus {
        value: 423,
        name: "LOCKED",
        phrase: "Locked",
        description: "",
    },
    HttpStatus {
        value: 424,
        name: "FAILED_DEPENDENCY",
        phrase: "Failed Dependency",
        description: "",
    },
    HttpStatus {
        value: 425,
        name: "TOO_EARLY",
        phrase: "Too Early",
        description: "",
    },
    HttpStatus {
        value: 426,
        name: "UPGRADE_REQUIRED",
        phrase: "Upgrade Required",
        description: "",
    },
    HttpStatus {
        value: 428,
        name: "PRECONDITION_REQUIRED",
        phrase: "Precondition Required",
        description: "The origin server requires the request to be conditional",
    },
    HttpStatus {
        value: 429,
        name: "TOO_MANY_REQUESTS",
        phrase: "Too Many Requests",
        description: "The user has sent too many requests in a given amount of time (\"rate limiting\")",
    },
    HttpStatus {
        value: 431,
        name: "REQUEST_HEADER_FIELDS_TOO_LARGE",
        phrase: "Request Header Fields Too Large",
        description: "The server is unwilling to process the request because its header fields are too large",
    },
    HttpStatus {
        value: 451,
        name: "UNAVAILABLE_FOR_LEGAL_REASONS",
        phrase: "Unavailable For Legal Reasons",
        description: "The server is denying access to the resource as a consequence of a legal demand",
    },
    HttpStatus {
        value: 500,
        name: "INTERNAL_SERVER_ERROR",
        phrase: "Internal Server Error",
        description: "Server got itself in trouble",
    },
    HttpStatus {
        value: 501,
        name: "NOT_IMPLEMENTED",
        phrase: "Not Implemented",
        description: "Server does not support this operation",
    },
    HttpStatus {
        value: 502,
        name: "BAD_GATEWAY",
        phrase: "Bad Gateway",
        description: "Invalid responses from another server/proxy",
    },
    HttpStatus {
        value: 503,
        name: "SERVICE_UNAVAILABLE",
        phrase: "Service Unavailable",
        description: "The server cannot process the request due to a high load",
    },
    HttpStatus {
        value: 504,
        name: "GATEWAY_TIMEOUT",
        phrase: "Gateway Timeout",
        description: "The gateway server did not receive a timely response",
    },
    HttpStatus {
        value: 505,
        name: "HTTP_VERSION_NOT_SUPPORTED",
        phrase: "HTTP Version Not Supported",
        description: "Cannot fulfill request",
    },
    HttpStatus {
        value: 506,
        name: "VARIANT_ALSO_NEGOTIATES",
        phrase: "Variant Also Negotiates",
        description: "",
    },
    HttpStatus {
        value: 507,
        name: "INSUFFICIENT_STORAGE",
        phrase: "Insufficient Storage",
        description: "",
    },
    HttpStatus {
        value: 508,
        name: "LOOP_DETECTED",
        phrase: "Loop Detected",
        description: "",
    },
    HttpStatus {
        value: 510,
        name: "NOT_EXTENDED",
        phrase: "Not Extended",
        description: "",
    },
    HttpStatus {
        value: 511,
        name: "NETWORK_AUTHENTICATION_REQUIRED",
        phrase: "Network Authentication Required",
        description: "The client needs to authenticate to gain network access",
    },
];
