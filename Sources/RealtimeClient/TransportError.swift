import AsyncHTTPClient
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import NIOWebSocket

#if canImport(Glibc)
import Glibc
#endif

/// Why a connection to the backend failed, classified from the error's type (never from its
/// text), with a description an operator can act on.
///
/// Built with ``classify(_:url:)`` from whatever SwiftNIO, AsyncHTTPClient, NIOSSL or our
/// WebSocket client threw; an error of no known kind keeps its own description (shortened).
public struct TransportError: Error, Sendable, Hashable, CustomStringConvertible {
    enum Kind: Sendable, Hashable {
        case refused
        case timedOut
        case dns(host: String)
        case tls(reason: String)
        case http(status: Int, url: String)
        case closed(code: UInt16?, reason: String)
        case protocolViolation(String)
        case other(String)
    }

    let kind: Kind

    init(_ kind: Kind) { self.kind = kind }

    /// Nothing listens there (ECONNREFUSED).
    public static let refused = TransportError(.refused)
    /// The connect (or the TLS handshake) did not finish in time.
    public static let timedOut = TransportError(.timedOut)
    /// The host name did not resolve.
    public static func dns(host: String) -> TransportError { TransportError(.dns(host: host)) }
    /// The TLS handshake failed: an untrusted or mismatched certificate, or a protocol error.
    public static func tls(_ reason: String) -> TransportError { TransportError(.tls(reason: reason)) }
    /// The server answered with a status we did not ask for.
    public static func http(status: Int, url: String) -> TransportError { TransportError(.http(status: status, url: url)) }
    /// The connection closed: a WebSocket close frame's code and reason, or nil for a TCP close.
    public static func closed(code: UInt16? = nil, reason: String = "") -> TransportError {
        TransportError(.closed(code: code, reason: reason))
    }
    /// The peer broke the protocol (malformed HTTP, a bad WebSocket frame).
    public static func protocolViolation(_ what: String) -> TransportError { TransportError(.protocolViolation(what)) }

    /// The HTTP status, for ``http(status:url:)``.
    public var httpStatus: Int? {
        if case .http(let status, _) = kind { status } else { nil }
    }

    /// The WebSocket close code, for ``closed(code:reason:)``.
    public var closeCode: UInt16? {
        if case .closed(let code, _) = kind { code } else { nil }
    }

    public var description: String {
        switch kind {
        case .refused: "connection refused"
        case .timedOut: "connection timed out"
        case .dns(let host): "the host name \(host) does not resolve"
        case .tls(let reason): "TLS failed: \(reason)"
        case .http(let status, let url): "HTTP \(status) from \(url)"
        case .closed(nil, _): "the server closed the connection"
        case .closed(let code?, let reason): "closed \(code)" + (reason.isEmpty ? "" : " (\(reason))")
        case .protocolViolation(let what): "protocol violation: \(what)"
        case .other(let text): text
        }
    }

    /// Classifies `error` by its type.
    /// - Parameters:
    ///   - error: what the transport threw.
    ///   - url: the URL being opened, for HTTP statuses.
    /// - Returns: the kind of failure; `.other` keeps an unknown error's description, at most
    ///   160 characters.
    public static func classify(_ error: any Error, url: String = "") -> TransportError {
        switch error {
        case let e as TransportError:
            return e
        case let e as HTTPClientError:
            switch e {
            case .connectTimeout, .readTimeout, .writeTimeout, .tlsHandshakeTimeout, .deadlineExceeded,
                .getConnectionFromPoolTimeout:
                return .timedOut
            case .remoteConnectionClosed, .uncleanShutdown, .cancelled:
                return .closed()
            default:
                return TransportError(.other(shortened("\(e)")))
            }
        case let e as NIOConnectionError:
            // No connection was even tried: the name did not resolve.
            guard let first = e.connectionErrors.first else { return .dns(host: e.host) }
            return classify(first.error, url: url)
        case let e as SocketAddressError.UnknownHost:
            return .dns(host: e.host)
        case let e as IOError:
            switch e.errnoCode {
            case ECONNREFUSED: return .refused
            case ETIMEDOUT: return .timedOut
            case ECONNRESET, EPIPE, ECONNABORTED: return .closed()
            case EHOSTUNREACH, ENETUNREACH: return TransportError(.other("no route to the host"))
            default: return TransportError(.other(shortened("\(e)")))
            }
        case let e as ChannelError:
            switch e {
            case .connectTimeout: return .timedOut
            case .eof, .ioOnClosedChannel, .alreadyClosed, .outputClosed, .inputClosed: return .closed()
            default: return TransportError(.other(shortened("\(e)")))
            }
        case let e as NIOSSLError:
            return .tls(shortened("\(e)"))
        case let e as NIOSSLExtraError:
            return .tls(shortened("\(e)"))
        case let e as BoringSSLError:
            return .tls(shortened("\(e)"))
        case let e as HTTPParserError:
            return .protocolViolation(shortened("\(e)"))
        case let e as NIOWebSocketError:
            return .protocolViolation(shortened("\(e)"))
        case let e as WebSocketClient.UpgradeRefused:
            return .http(status: e.status, url: url)
        case let e as RESTError:
            return .http(status: e.status, url: e.path)
        default:
            return TransportError(.other(shortened("\(error)")))
        }
    }

    private static func shortened(_ text: String) -> String {
        text.count > 160 ? String(text.prefix(160)) + "…" : text
    }
}
