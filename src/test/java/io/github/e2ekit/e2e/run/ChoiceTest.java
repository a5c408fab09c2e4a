package io.github.e2ekit.e2e.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.e2ekit.e2e.image.BuilderChoice;
import io.github.e2ekit.e2e.kind.KindClusters;
import io.github.e2ekit.e2e.teardown.ClusterDeletion;
import io.github.e2ekit.e2e.teardown.RemoveImages;
import org.junit.jupiter.api.Test;

class ChoiceTest {
    @Test
    void aPomSpellingNamesItsConstantInAnyLetterCase() throws ConfigException {
        assertThat(Choice.parse("cluster/create", "ifMissing", null, KindClusters.Create.class))
                .isEqualTo(KindClusters.Create.IF_MISSING);
        assertThat(Choice.parse("cluster/create", " IfMissing ", null, KindClusters.Create.class))
                .isEqualTo(KindClusters.Create.IF_MISSING);
        assertThat(Choice.parse("removeImages", "allbutnewest", null, RemoveImages.class))
                .isEqualTo(RemoveImages.ALL_BUT_NEWEST);
        assertThat(Choice.parse("builder", "BUILDKIT", null, BuilderChoice.class))
                .isEqualTo(BuilderChoice.BUILDKIT);
    }

    @Test
    void noValueIsTheDefault() throws ConfigException {
        assertThat(Choice.parse("cluster/delete", null, ClusterDeletion.IF_CREATED, ClusterDeletion.class))
                .isEqualTo(ClusterDeletion.IF_CREATED);
        assertThat(Choice.parse("cluster/delete", "  ", ClusterDeletion.IF_CREATED, ClusterDeletion.class))
                .isEqualTo(ClusterDeletion.IF_CREATED);
    }

    @Test
    void aWrongValueNamesTheParameterAndEveryAllowedValue() {
        assertThatThrownBy(() -> Choice.parse("cluster/create", "sometimes", null, KindClusters.Create.class))
                .isInstanceOf(ConfigException.class)
                .hasMessage("<cluster/create> 'sometimes' is not one of ifMissing, never, recreate");
        assertThatThrownBy(() -> Choice.parse("removeImages", "some", null, RemoveImages.class))
                .hasMessage("<removeImages> 'some' is not one of allButNewest, all, none");
        assertThatThrownBy(() -> Choice.parse("load/mode", "ftp", null, Delivery.Mode.class))
                .hasMessage("<load/mode> 'ftp' is not one of kind, registry");
    }
}
