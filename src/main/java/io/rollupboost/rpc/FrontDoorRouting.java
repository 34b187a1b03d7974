package io.rollupboost.rpc;

import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts the JSON-RPC front door on the thread that read the request. Jetty runs a whole server's
 * requests on the selector thread that parsed them only when every handler declares it never
 * blocks; the servlet contexts (Jersey, admin, {@code /healthz}) do not, so otherwise each call
 * from op-node first wakes a worker thread. This handler, placed just inside Dropwizard's graceful
 * handler, declares the server non-blocking, answers {@code /} on the application connectors itself
 * (the front door hands anything that waits to the pool) and runs every other request on the
 * server's thread pool, where servlets may block as before.
 */
public final class FrontDoorRouting extends Handler.Wrapper {
  private static final Logger LOG = LoggerFactory.getLogger(FrontDoorRouting.class);

  /** Dropwizard's name for the connectors of the application port. */
  static final String APPLICATION_CONNECTOR = "application";

  private final JsonRpcHandler frontDoor;
  private final String rootPath;
  private final String rootPathBare;
  private final Executor pool;

  private FrontDoorRouting(JsonRpcHandler frontDoor, String contextPath, Executor pool) {
    super(false);
    this.frontDoor = frontDoor;
    this.rootPath = contextPath.endsWith("/") ? contextPath : contextPath + "/";
    this.rootPathBare = rootPath.length() > 1 ? rootPath.substring(0, rootPath.length() - 1) : "/";
    this.pool = pool;
  }

  /**
   * Installs the routing into a server that is starting (its handler tree is complete but not yet
   * started), below Dropwizard's graceful handler so that shutdown still counts and refuses calls.
   */
  public static void install(Server server, JsonRpcHandler frontDoor, String contextPath) {
    FrontDoorRouting routing = new FrontDoorRouting(frontDoor, contextPath, server.getThreadPool());
    // A dynamic container may gain a blocking handler at any time, so Jetty treats it as blocking.
    server.setDynamic(false);
    if (server.getHandler() instanceof GracefulHandler graceful) {
      graceful.setDynamic(false);
      graceful.insertHandler(routing);
    } else {
      server.insertHandler(routing);
    }
  }

  @Override
  public InvocationType getInvocationType() {
    return InvocationType.NON_BLOCKING;
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) {
    if (isFrontDoor(request)) {
      return frontDoor.handle(request, response, callback);
    }
    try {
      pool.execute(() -> handleBlocking(request, response, callback));
    } catch (RejectedExecutionException e) {
      LOG.warn("request refused, no thread free: {} {}", request.getMethod(), request.getHttpURI());
      Response.writeError(request, response, callback, HttpStatus.SERVICE_UNAVAILABLE_503);
    }
    return true;
  }

  private boolean isFrontDoor(Request request) {
    String path = request.getHttpURI().getPath();
    return APPLICATION_CONNECTOR.equals(request.getConnectionMetaData().getConnector().getName())
        && (rootPath.equals(path) || rootPathBare.equals(path));
  }

  private void handleBlocking(Request request, Response response, Callback callback) {
    try {
      if (!super.handle(request, response, callback)) {
        Response.writeError(request, response, callback, HttpStatus.NOT_FOUND_404);
      }
    } catch (Throwable failure) {
      Response.writeError(request, response, callback, failure);
    }
  }
}
