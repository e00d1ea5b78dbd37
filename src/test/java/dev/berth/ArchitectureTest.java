package dev.berth;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The package rules of DESIGN.md ("Layers"): a package imports only the packages below it, and api. */
class ArchitectureTest {
    /** Top to bottom, as in DESIGN.md. */
    static final List<String> LAYERS = List.of(
            "cli", "kubeapi", "reconcile", "generate", "plan", "manifest", "probe", "engine", "image", "network", "runtime",
            "state", "proc", "sys", "api");

    static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages("dev.berth");
    }

    @Test
    void aPackageImportsOnlyThePackagesBelowIt() {
        for (int i = 0; i < LAYERS.size(); i++) {
            List<String> above = LAYERS.subList(0, i).stream().map(p -> "dev.berth." + p + "..").toList();
            if (above.isEmpty()) {
                continue;
            }
            noClasses().that().resideInAPackage("dev.berth." + LAYERS.get(i) + "..")
                    .should().dependOnClassesThat().resideInAnyPackage(above.toArray(String[]::new))
                    .because(LAYERS.get(i) + " sits below " + String.join(", ", LAYERS.subList(0, i)) + " in DESIGN.md")
                    .allowEmptyShould(true)
                    .check(classes);
        }
    }

    /** A new package falls under the rules the moment it exists: it must have its place in LAYERS (or be a program of its own). */
    @Test
    void everyPackageHasItsPlaceInTheLayers() {
        java.util.Set<String> packages = new java.util.TreeSet<>();
        classes.forEach(c -> {
            String rest = c.getPackageName().substring("dev.berth".length());
            if (!rest.isEmpty()) {
                packages.add(rest.substring(1).split("\\.")[0]);
            }
        });
        java.util.Set<String> placed = new java.util.HashSet<>(LAYERS);
        placed.add("ingress"); // a separate program, checked below to use the JDK alone
        org.assertj.core.api.Assertions.assertThat(packages).as("packages of dev.berth with no place in LAYERS (DESIGN.md)")
                .isSubsetOf(placed);
    }

    @Test
    void apiUsesOnlyTheJdk() {
        noClasses().that().resideInAPackage("dev.berth.api..")
                .should().dependOnClassesThat().resideOutsideOfPackages("dev.berth.api..", "java..")
                .check(classes);
    }

    @Test
    void fabric8StaysInManifestPlanAndGenerate() {
        noClasses().that().resideOutsideOfPackages("dev.berth.manifest..", "dev.berth.plan..", "dev.berth.generate..")
                .should().dependOnClassesThat().resideInAnyPackage("io.fabric8..")
                .check(classes);
    }

    @Test
    void librariesStayWithTheirOwners() {
        noClasses().that().resideOutsideOfPackage("dev.berth.cli..")
                .should().dependOnClassesThat().resideInAnyPackage("picocli..")
                .check(classes);
        noClasses().that().resideOutsideOfPackages("dev.berth.manifest..", "dev.berth.generate..")
                .should().dependOnClassesThat().resideInAnyPackage("org.yaml.snakeyaml..")
                .check(classes);
        noClasses().that().resideOutsideOfPackages("dev.berth.image..", "dev.berth.kubeapi..")
                .should().dependOnClassesThat().resideInAnyPackage("org.bouncycastle..")
                .because("a registry's client keys are read in image (RegistryTls), the API's certificates made in kubeapi (ApiCertificates)")
                .check(classes);
        noClasses().that().resideOutsideOfPackage("dev.berth.kubeapi..")
                .should().dependOnClassesThat().resideInAnyPackage("org.eclipse.jetty..", "io.kubernetes..", "com.google.protobuf..")
                .because("the API's HTTP server and Kubernetes' protobuf belong to kubeapi")
                .check(classes);
        noClasses().that().resideOutsideOfPackage("dev.berth.sys..")
                .should().dependOnClassesThat().resideInAnyPackage("com.sun.jna..")
                .allowEmptyShould(true)
                .check(classes);
    }

    @Test
    void onlyProcStartsProcesses() {
        noClasses().that().resideOutsideOfPackage("dev.berth.proc..")
                .should().dependOnClassesThat().belongToAnyOf(ProcessBuilder.class, Process.class)
                .because("a process berth starts is started, waited for and ended in one place (proc.Processes)")
                .check(classes);
    }

    @Test
    void theIngressProxyUsesOnlyTheJdk() {
        // it runs in a container with the JDK and berth's jar, without berth's libraries
        noClasses().that().resideInAPackage("dev.berth.ingress..")
                .should().dependOnClassesThat().resideOutsideOfPackages("dev.berth.ingress..", "java..")
                .check(classes);
    }

    @Test
    void onlyTheCliAndTheIngressProxyPrint() {
        noClasses().that().resideOutsideOfPackages("dev.berth.cli..", "dev.berth.ingress..")
                .should().accessField(System.class, "out")
                .orShould().accessField(System.class, "err")
                .check(classes);
    }

    /**
     * Typed records between packages (issue 29): no public method or constructor outside cli takes
     * or returns JSON as a {@code Map<String, Object>} (or a list of them); only api.Json, the
     * JSON helper itself, deals in them.
     */
    @Test
    void noJsonMapCrossesAPackageBoundary() throws Exception {
        List<String> found = new java.util.ArrayList<>();
        for (var c : classes) {
            if (c.getPackageName().startsWith("dev.berth.cli") || c.getName().equals(dev.berth.api.Json.class.getName())) {
                continue;
            }
            Class<?> type = Class.forName(c.getName(), false, getClass().getClassLoader());
            if (!java.lang.reflect.Modifier.isPublic(type.getModifiers())) {
                continue;
            }
            List<java.lang.reflect.Executable> members = new java.util.ArrayList<>(List.of(type.getDeclaredConstructors()));
            members.addAll(List.of(type.getDeclaredMethods()));
            for (var m : members) {
                if (!java.lang.reflect.Modifier.isPublic(m.getModifiers()) || m.isSynthetic()) {
                    continue;
                }
                List<java.lang.reflect.Type> types = new java.util.ArrayList<>(List.of(m.getGenericParameterTypes()));
                if (m instanceof java.lang.reflect.Method method) {
                    types.add(method.getGenericReturnType());
                }
                if (types.stream().anyMatch(t -> t.getTypeName().contains("java.util.Map<java.lang.String, java.lang.Object>"))) {
                    found.add(type.getName() + "." + m.getName());
                }
            }
        }
        org.assertj.core.api.Assertions.assertThat(found).as("public members passing JSON maps between packages").isEmpty();
    }
}
