package io.rollupboost.cli;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The cluster the {@code ha} command looks at: one entry per sequencer with the URL of its
 * rollup-boost application connector and, optionally, of its op-conductor and op-node RPC.
 */
@JsonIgnoreProperties(ignoreUnknown = false)
public record ClusterInventory(List<Node> nodes) {

  /** One sequencer. */
  public record Node(String name, URI rollupBoost, URI conductor, URI opNode) {}

  /**
   * Reads and checks an inventory file.
   *
   * @throws IllegalArgumentException naming the problem
   */
  public static ClusterInventory read(Path file) {
    ClusterInventory inventory;
    try {
      inventory =
          new ObjectMapper(new YAMLFactory()).readValue(file.toFile(), ClusterInventory.class);
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "cannot read inventory " + file + ": " + e.getMessage(), e);
    }
    if (inventory == null || inventory.nodes() == null || inventory.nodes().isEmpty()) {
      throw new IllegalArgumentException("inventory " + file + " lists no nodes");
    }
    Set<String> names = new HashSet<>();
    for (Node node : inventory.nodes()) {
      if (node.name() == null || node.name().isBlank()) {
        throw new IllegalArgumentException("inventory " + file + ": a node has no name");
      }
      if (!names.add(node.name())) {
        throw new IllegalArgumentException(
            "inventory " + file + ": node " + node.name() + " is listed twice");
      }
      if (node.rollupBoost() == null || node.rollupBoost().getHost() == null) {
        throw new IllegalArgumentException(
            "inventory " + file + ": node " + node.name() + " needs rollupBoost: http://host:port");
      }
    }
    return inventory;
  }
}
