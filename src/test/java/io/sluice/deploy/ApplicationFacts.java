package io.sluice.deploy;

import io.sluice.cluster.ClusterConfig;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * What the manifests must agree with, read from the application itself: its configuration
 * properties and their defaults ({@link ConfigProperties}), the ports it listens on, the HTTP paths
 * Quarkus serves health and metrics at (application.properties may move them), and the image the
 * documented build produces (quarkus.container-image.* and the pom's version).
 *
 * @param image       {@code [registry/]group/name:tag} as the build names it
 * @param pomVersion  the project version, the image's tag unless one is configured
 * @param jibImage    what the pom's image-tar profile names its image
 * @param jibUser     the image-tar profile's container user
 * @param jibPorts    the image-tar profile's exposed ports
 */
record ApplicationFacts(ConfigProperties properties, int httpPort, String livenessPath, String readinessPath,
        String startupPath, String metricsPath, String image, String pomVersion, Properties applicationProperties,
        String jibImage, String jibUser, List<Integer> jibPorts) {

    static ApplicationFacts read(Path projectRoot) throws IOException {
        Properties app = new Properties();
        try (Reader in = Files.newBufferedReader(projectRoot.resolve("src/main/resources/application.properties"))) {
            app.load(in);
        }
        Document pom = parse(projectRoot.resolve("pom.xml"));
        String version = text(pom.getDocumentElement(), "version");

        String nonApplicationRoot = under(app.getProperty("quarkus.http.root-path", "/"),
                app.getProperty("quarkus.http.non-application-root-path", "q"));
        String health = under(nonApplicationRoot, app.getProperty("quarkus.smallrye-health.root-path", "health"));

        String registry = app.getProperty("quarkus.container-image.registry");
        String group = app.getProperty("quarkus.container-image.group");
        String name = app.getProperty("quarkus.container-image.name", app.getProperty("quarkus.application.name"));
        String tag = app.getProperty("quarkus.container-image.tag", version)
                .replace("${quarkus.application.version}", version);
        String image = (registry == null ? "" : registry + "/") + (group == null || group.isEmpty() ? "" : group + "/")
                + name + ":" + tag;

        Element jib = jibConfiguration(pom);
        String jibImage = property(pom, text(child(jib, "to"), "image")).replace("${project.version}", version);
        Element container = child(jib, "container");
        List<Integer> jibPorts = new ArrayList<>();
        NodeList ports = child(container, "ports").getElementsByTagName("port");
        for (int i = 0; i < ports.getLength(); i++) {
            jibPorts.add(Integer.parseInt(ports.item(i).getTextContent().trim()));
        }
        return new ApplicationFacts(ConfigProperties.sluice(), Integer.parseInt(app.getProperty("quarkus.http.port", "8080")),
                under(health, app.getProperty("quarkus.smallrye-health.liveness-path", "live")),
                under(health, app.getProperty("quarkus.smallrye-health.readiness-path", "ready")),
                under(health, app.getProperty("quarkus.smallrye-health.startup-path", "started")),
                under(nonApplicationRoot, app.getProperty("quarkus.micrometer.export.prometheus.path", "metrics")),
                image, version, app, jibImage, text(container, "user"), jibPorts);
    }

    int jgroupsPort() {
        return Integer.parseInt(properties.defaultOf("sluice.cluster.bind-port"));
    }

    int failureDetectionPort() {
        return jgroupsPort() + ClusterConfig.FAILURE_DETECTION_PORT_OFFSET;
    }

    int replicationPort() {
        return Integer.parseInt(properties.defaultOf("sluice.replication.port"));
    }

    /** The paths a probe may ask: Quarkus's health endpoints. */
    Set<String> probePaths() {
        return Set.of(livenessPath, readinessPath, startupPath);
    }

    /** A Quarkus path setting: absolute as given, else under its parent. */
    private static String under(String parent, String path) {
        if (path.startsWith("/")) {
            return path;
        }
        return (parent.endsWith("/") ? parent : parent + "/") + path;
    }

    private static Document parse(Path xml) throws IOException {
        try {
            return DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(xml.toFile());
        } catch (Exception e) {
            throw new IOException("cannot parse " + xml, e);
        }
    }

    /** The jib-maven-plugin configuration of the image-tar profile. */
    private static Element jibConfiguration(Document pom) {
        NodeList profiles = pom.getElementsByTagName("profile");
        for (int i = 0; i < profiles.getLength(); i++) {
            Element profile = (Element) profiles.item(i);
            if ("image-tar".equals(text(profile, "id"))) {
                NodeList plugins = profile.getElementsByTagName("plugin");
                for (int j = 0; j < plugins.getLength(); j++) {
                    Element plugin = (Element) plugins.item(j);
                    if ("jib-maven-plugin".equals(text(plugin, "artifactId"))) {
                        return child(plugin, "configuration");
                    }
                }
            }
        }
        throw new IllegalStateException("pom.xml has no jib-maven-plugin in a profile image-tar");
    }

    /** Resolves one {@code ${name}} of the pom's own properties. */
    private static String property(Document pom, String value) {
        if (!value.startsWith("${") || !value.endsWith("}")) {
            return value;
        }
        Element properties = child(pom.getDocumentElement(), "properties");
        return text(properties, value.substring(2, value.length() - 1));
    }

    private static Element child(Element parent, String name) {
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && e.getTagName().equals(name)) {
                return e;
            }
        }
        throw new IllegalStateException("<" + parent.getTagName() + "> has no <" + name + ">");
    }

    private static String text(Element parent, String name) {
        return child(parent, name).getTextContent().trim();
    }
}
