// DynamoDBLoopback starts DynamoDB Local as its own main class does, but with
// its HTTP connector bound to 127.0.0.1: DynamoDB Local has no flag for the
// address and listens on every interface otherwise. The arguments are
// DynamoDB Local's own (-port, -inMemory, -dbPath, -sharedDb, ...).
//
// It reaches DynamoDB Local and its Jetty server by reflection only, so it
// compiles without them on the class path (see dynamoloopback.go).
import java.lang.reflect.Field;

public class DynamoDBLoopback {
  public static void main(String[] args) throws Exception {
    Class<?> runner = Class.forName("software.amazon.dynamodb.services.local.main.ServerRunner");
    Object proxy = runner.getMethod("createServerFromCommandLineArgs", String[].class).invoke(null, (Object) args);
    if (proxy == null) {
      System.exit(2); // -help, -version or bad arguments: DynamoDB Local has said why
    }
    Field field = proxy.getClass().getDeclaredField("server");
    field.setAccessible(true);
    Object server = field.get(proxy);
    Object[] connectors = (Object[]) server.getClass().getMethod("getConnectors").invoke(server);
    if (connectors.length == 0) {
      throw new IllegalStateException("DynamoDB Local has no connector to bind to 127.0.0.1");
    }
    for (Object c : connectors) {
      c.getClass().getMethod("setHost", String.class).invoke(c, "127.0.0.1");
    }
    proxy.getClass().getMethod("start").invoke(proxy);
  }
}
