package io.rollupboost.testing;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.GZIPOutputStream;

/**
 * An Engine API upstream on a raw loopback socket whose wire behaviour is scripted: healthy answers
 * (the {@link FakeEngine} defaults) until a {@link Fault} is armed, then every call gets that
 * fault. Raw sockets because the interesting faults (a response cut off mid-body, a trickle, a hang
 * after accepting) cannot be produced by an HTTP server library.
 */
public final class FaultyUpstream implements AutoCloseable {

  /** What the upstream does with every request while armed. */
  public enum Fault {
    NONE,
    /** Reads the request, never answers, keeps the connection open. */
    HANG,
    /** Sends the headers and part of the declared body, then closes the connection. */
    CLOSE_MID_RESPONSE,
    /** 200 with a body that is not JSON. */
    NON_JSON,
    /** 500 with an HTML error page. */
    HTML_500,
    /** 502 with an HTML error page, as a reverse proxy in front of a dead client sends. */
    HTML_502,
    /** 200 with a 50 MiB body. */
    HUGE_BODY,
    /** A well-formed JSON-RPC answer for another request id. */
    WRONG_ID,
    /** The correct answer, gzip-compressed with {@code Content-Encoding: gzip}. */
    GZIP,
    /**
     * The correct answer in chunked transfer encoding, no Content-Length, as Go's net/http (geth,
     * op-geth) sends any answer above 4 KiB; in chunks of 7 bytes.
     */
    CHUNKED,
    /** 200, chunked, with a 50 MiB body: no declared length to refuse it by. */
    CHUNKED_HUGE,
    /** The correct answer at one byte per 100 ms. */
    SLOW,
    /** The correct answer, in UTF-16 (little-endian, with a byte order mark). */
    UTF16,
    /**
     * Answers the first request of each connection; closes the connection without a byte when the
     * next one arrives, as a server closing an idle kept-alive connection just as it is reused.
     */
    CLOSE_KEPT_ALIVE
  }

  static final int HUGE_BYTES = 50 * 1024 * 1024;

  /** 64 KiB of 'a': the bodies of the huge answers, written again and again. */
  private static final byte[] FILLER = "a".repeat(64 * 1024).getBytes(StandardCharsets.US_ASCII);

  private final String blockHash;
  private final ServerSocket server;
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private final AtomicLong requests = new AtomicLong();
  private volatile Fault fault = Fault.NONE;
  private volatile String lastHead = "";
  private volatile boolean closed;

  /**
   * @param blockHash the block hash of the payloads it builds, so a test can tell whose block won
   */
  public FaultyUpstream(String blockHash) throws IOException {
    this.blockHash = blockHash;
    server = new ServerSocket(0, 128, InetAddress.getLoopbackAddress());
    Thread acceptor = new Thread(this::accept, "faulty-upstream-accept");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  public String url() {
    return "http://127.0.0.1:" + server.getLocalPort();
  }

  /** Arms a fault (NONE restores healthy answers and closes connections held by a hang). */
  public void arm(Fault next) {
    fault = next;
    if (next == Fault.NONE) {
      for (Socket s : open) {
        closeQuietly(s);
      }
    }
  }

  /** The request line and headers of the last request received. */
  public String lastRequestHead() {
    return lastHead;
  }

  /** Requests received so far. */
  public long requests() {
    return requests.get();
  }

  private void accept() {
    while (!closed) {
      try {
        Socket s = server.accept();
        open.add(s);
        Thread t = new Thread(() -> serve(s), "faulty-upstream-conn");
        t.setDaemon(true);
        t.start();
      } catch (IOException e) {
        if (!closed) {
          continue;
        }
        return;
      }
    }
  }

  private void serve(Socket socket) {
    try (socket) {
      socket.setTcpNoDelay(true);
      InputStream in = new BufferedInputStream(socket.getInputStream());
      OutputStream out = socket.getOutputStream();
      int onThisConnection = 0;
      while (!closed) {
        byte[] body = readRequest(in);
        if (body == null) {
          return;
        }
        requests.incrementAndGet();
        JsonNode request = FakeEngine.JSON.readTree(body);
        Fault now = fault;
        if (now == Fault.CLOSE_KEPT_ALIVE && onThisConnection++ > 0) {
          return;
        }
        if (!answer(now, request, out)) {
          return;
        }
      }
    } catch (IOException e) {
      // the service closed or aborted the connection: expected for several faults
    } finally {
      open.remove(socket);
    }
  }

  /** Writes the answer; false when the connection must end. */
  private boolean answer(Fault now, JsonNode request, OutputStream out) throws IOException {
    String good = goodAnswer(request);
    switch (now) {
      case NONE, CLOSE_KEPT_ALIVE ->
          send(out, 200, "application/json", good.getBytes(StandardCharsets.UTF_8), null);
      case HANG -> {
        while (fault == Fault.HANG && !closed) {
          try {
            Thread.sleep(20);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
          }
        }
        return false;
      }
      case CLOSE_MID_RESPONSE -> {
        byte[] bytes = good.getBytes(StandardCharsets.UTF_8);
        head(out, 200, "application/json", bytes.length, null);
        out.write(bytes, 0, bytes.length / 2);
        out.flush();
        return false;
      }
      case NON_JSON ->
          send(
              out, 200, "text/plain", "upstream says hello".getBytes(StandardCharsets.UTF_8), null);
      case HTML_500 -> send(out, 500, "text/html", html(500), null);
      case HTML_502 -> send(out, 502, "text/html", html(502), null);
      case HUGE_BODY -> {
        head(out, 200, "application/json", HUGE_BYTES, null);
        for (int sent = 0; sent < HUGE_BYTES; sent += FILLER.length) {
          out.write(FILLER, 0, Math.min(FILLER.length, HUGE_BYTES - sent));
        }
        out.flush();
      }
      case WRONG_ID -> {
        String other =
            good.replaceFirst(
                "\"id\":[^,]*,", "\"id\":" + (request.path("id").asLong() + 1000) + ",");
        send(out, 200, "application/json", other.getBytes(StandardCharsets.UTF_8), null);
      }
      case CHUNKED -> {
        byte[] bytes = good.getBytes(StandardCharsets.UTF_8);
        chunkedHead(out);
        for (int at = 0; at < bytes.length; at += 7) {
          chunk(out, bytes, at, Math.min(7, bytes.length - at));
        }
        lastChunk(out);
      }
      case CHUNKED_HUGE -> {
        chunkedHead(out);
        for (int sent = 0; sent < HUGE_BYTES; sent += FILLER.length) {
          chunk(out, FILLER, 0, FILLER.length);
        }
        lastChunk(out);
      }
      case GZIP -> {
        ByteArrayOutputStream zipped = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(zipped)) {
          gz.write(good.getBytes(StandardCharsets.UTF_8));
        }
        send(out, 200, "application/json", zipped.toByteArray(), "gzip");
      }
      case UTF16 -> send(out, 200, "application/json", utf16(good), null);
      case SLOW -> {
        byte[] bytes = good.getBytes(StandardCharsets.UTF_8);
        head(out, 200, "application/json", bytes.length, null);
        for (byte b : bytes) {
          out.write(b);
          out.flush();
          try {
            Thread.sleep(100);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
          }
        }
      }
    }
    return true;
  }

  /** {@code text} in UTF-16LE after its byte order mark. */
  public static byte[] utf16(String text) {
    byte[] body = text.getBytes(StandardCharsets.UTF_16LE);
    byte[] marked = new byte[body.length + 2];
    marked[0] = (byte) 0xFF;
    marked[1] = (byte) 0xFE;
    System.arraycopy(body, 0, marked, 2, body.length);
    return marked;
  }

  private String goodAnswer(JsonNode request) {
    String method = request.path("method").asText();
    FakeEngine.Call call = new FakeEngine.Call(method, request.path("params"), "", null);
    FakeEngine.Reply reply =
        method.startsWith("engine_getPayload")
            ? FakeEngine.Reply.result(FakeEngine.envelope(blockHash, 1, 21000, 1))
            : FakeEngine.defaultReply(call);
    return "{\"jsonrpc\":\"2.0\",\"id\":" + request.get("id") + ",\"result\":" + reply.body() + "}";
  }

  private static byte[] html(int status) {
    return ("<html><head><title>"
            + status
            + " Bad Gateway</title></head><body><h1>"
            + status
            + "</h1><hr><center>nginx</center></body></html>")
        .getBytes(StandardCharsets.UTF_8);
  }

  private static void send(OutputStream out, int status, String type, byte[] body, String encoding)
      throws IOException {
    head(out, status, type, body.length, encoding);
    out.write(body);
    out.flush();
  }

  /** A response head declaring {@code length} bytes of body (the body may then lie about it). */
  private static void head(OutputStream out, int status, String type, long length, String encoding)
      throws IOException {
    String head =
        "HTTP/1.1 "
            + status
            + " X\r\nContent-Type: "
            + type
            + "\r\nContent-Length: "
            + length
            + (encoding == null ? "" : "\r\nContent-Encoding: " + encoding)
            + "\r\n\r\n";
    out.write(head.getBytes(StandardCharsets.US_ASCII));
  }

  private static void chunkedHead(OutputStream out) throws IOException {
    out.write(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
            .getBytes(StandardCharsets.US_ASCII));
  }

  private static void chunk(OutputStream out, byte[] bytes, int from, int length)
      throws IOException {
    out.write((Integer.toHexString(length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
    out.write(bytes, from, length);
    out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
  }

  private static void lastChunk(OutputStream out) throws IOException {
    out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    out.flush();
  }

  /** One request's body, or null at end of stream. */
  private byte[] readRequest(InputStream in) throws IOException {
    String headers = RawPost.readHead(in);
    if (headers == null) {
      return null;
    }
    lastHead = headers;
    int length = RawPost.contentLength(headers);
    if (length < 0) {
      throw new SocketException("request without Content-Length");
    }
    return in.readNBytes(length);
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException e) {
      // already closed
    }
  }

  @Override
  public void close() throws IOException {
    closed = true;
    server.close();
    for (Socket s : open) {
      closeQuietly(s);
    }
  }
}
