package io.rollupboost.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * A minimal keep-alive HTTP/1.1 GET client on one socket, for latency measurements where a full
 * client's own overhead would dominate.
 */
public final class RawHttp implements AutoCloseable {
  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;
  private final byte[] request;

  public RawHttp(int port, String path) throws IOException {
    socket = new Socket("127.0.0.1", port);
    socket.setTcpNoDelay(true);
    socket.setSoTimeout(5000);
    in = socket.getInputStream();
    out = socket.getOutputStream();
    request =
        ("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII);
  }

  /** Sends the GET and reads the whole response; returns the status code. */
  public int get() throws IOException {
    out.write(request);
    out.flush();
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("connection closed");
      }
      head.append((char) b);
    }
    String headers = head.toString().toLowerCase(Locale.ROOT);
    int at = headers.indexOf("content-length:");
    int length =
        at < 0
            ? 0
            : Integer.parseInt(headers.substring(at + 15, headers.indexOf("\r\n", at)).strip());
    in.readNBytes(length);
    return Integer.parseInt(head.substring(9, 12));
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
