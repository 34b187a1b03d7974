package io.rollupboost.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

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
    String head = RawPost.readHead(in);
    if (head == null) {
      throw new IOException("connection closed");
    }
    in.readNBytes(Math.max(0, RawPost.contentLength(head)));
    return Integer.parseInt(head.substring(9, 12));
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
