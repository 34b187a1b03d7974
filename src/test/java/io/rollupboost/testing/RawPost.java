package io.rollupboost.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * POSTs arbitrary bytes over one keep-alive socket and reads whole responses, so a test sees
 * exactly what the server sent and notices when it drops the connection.
 */
public final class RawPost implements AutoCloseable {
  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;

  /** A response: status, headers (lower-cased names), body, and whether the server closes. */
  public record Response(int status, String headers, byte[] body) {
    public String text() {
      return new String(body, StandardCharsets.UTF_8);
    }

    public boolean closes() {
      return headers.contains("\nconnection: close");
    }
  }

  public RawPost(int port) throws IOException {
    socket = new Socket("127.0.0.1", port);
    socket.setTcpNoDelay(true);
    socket.setSoTimeout(15_000);
    in = socket.getInputStream();
    out = socket.getOutputStream();
  }

  public Response post(byte[] body, String authorization) throws IOException {
    out.write(head(body, authorization));
    out.write(body);
    out.flush();
    return read();
  }

  private static byte[] head(byte[] body, String authorization) {
    return ("POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            + (authorization == null ? "" : "Authorization: " + authorization + "\r\n")
            + "Content-Length: "
            + body.length
            + "\r\n\r\n")
        .getBytes(StandardCharsets.US_ASCII);
  }

  /** Sends every request in one write (HTTP/1.1 pipelining), then reads their responses. */
  public List<Response> pipelined(List<byte[]> bodies, String authorization) throws IOException {
    ByteArrayOutputStream requests = new ByteArrayOutputStream();
    for (byte[] body : bodies) {
      requests.writeBytes(head(body, authorization));
      requests.writeBytes(body);
    }
    out.write(requests.toByteArray());
    out.flush();
    List<Response> responses = new ArrayList<>();
    for (int i = 0; i < bodies.size(); i++) {
      responses.add(read());
    }
    return responses;
  }

  /**
   * Reads an HTTP message head up to and including the blank line; null when the stream ends first.
   * Header names and values come back lower-cased.
   */
  public static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int state = 0;
    while (state < 4) {
      int b = in.read();
      if (b < 0) {
        return null;
      }
      head.write(b);
      state = (b == (state % 2 == 0 ? '\r' : '\n')) ? state + 1 : (b == '\r' ? 1 : 0);
    }
    return head.toString(StandardCharsets.ISO_8859_1).toLowerCase(Locale.ROOT);
  }

  /** The value of a Content-Length header in a head from {@link #readHead}, or -1. */
  public static int contentLength(String headers) {
    int at = headers.indexOf("\ncontent-length:");
    return at < 0
        ? -1
        : Integer.parseInt(headers.substring(at + 16, headers.indexOf("\r\n", at + 1)).strip());
  }

  private Response read() throws IOException {
    String headers = readHead(in);
    if (headers == null) {
      throw new IOException("connection closed by the server before a response");
    }
    int status = Integer.parseInt(headers.substring(9, 12));
    int length = contentLength(headers);
    byte[] body;
    if (length >= 0) {
      body = in.readNBytes(length);
      if (body.length < length) {
        throw new IOException("connection closed mid-body");
      }
    } else if (headers.contains("transfer-encoding: chunked")) {
      body = readChunked();
    } else {
      body = new byte[0];
    }
    return new Response(status, headers, body);
  }

  private byte[] readChunked() throws IOException {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    while (true) {
      StringBuilder line = new StringBuilder();
      int b;
      while ((b = in.read()) != '\n') {
        if (b < 0) {
          throw new IOException("connection closed mid-chunk");
        }
        if (b != '\r') {
          line.append((char) b);
        }
      }
      int size = Integer.parseInt(line.toString().strip(), 16);
      if (size == 0) {
        in.readNBytes(2);
        return body.toByteArray();
      }
      body.write(in.readNBytes(size));
      in.readNBytes(2);
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
