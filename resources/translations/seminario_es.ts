<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="es" sourcelanguage="en">
<context>
    <name>AboutDialog</name>
    <message>
        <location filename="../../app/dialogs/about.py" line="+58"/>
        <source>About SeminarioIA</source>
        <translation>Acerca de SeminarioIA</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Restore noisy and old recordings with AI.</source>
        <translation>Restaure grabaciones antiguas y con ruido mediante IA.</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Application</source>
        <translation>Aplicación</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The built-in model is not installed.</source>
        <translation>El modelo integrado no está instalado.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Built-in model</source>
        <translation>Modelo integrado</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>DeepFilterNet3 is not installed.</source>
        <translation>DeepFilterNet3 no está instalado.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Speech model (DeepFilterNet3)</source>
        <translation>Modelo de voz (DeepFilterNet3)</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The demo recording is not installed.</source>
        <translation>La grabación de demostración no está instalada.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Demo recording</source>
        <translation>Grabación de demostración</translation>
    </message>
    <message>
        <location line="+22"/>
        <source>MIT licence</source>
        <translation>Licencia MIT</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>LGPL v3 (The Qt Company)</source>
        <translation>LGPL v3 (The Qt Company)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>LGPL v3 (Qt for Python)</source>
        <translation>LGPL v3 (Qt for Python)</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>MIT or Apache-2.0</source>
        <translation>MIT o Apache-2.0</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Your original files are never modified.</source>
        <translation>Sus archivos originales nunca se modifican.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Qt and PySide6 are used under the GNU Lesser General Public Licence v3: they are loaded as shared libraries, which you may replace with your own build. Their source code is available from qt.io.</source>
        <translation>Qt y PySide6 se usan bajo la Licencia Pública General Reducida de GNU v3: se cargan como bibliotecas compartidas, que usted puede sustituir por su propia compilación. Su código fuente está disponible en qt.io.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>The built-in model was trained on public speech, music and noise collections; their licences and credits are listed in the “Built-in model” tab. The demo recording is a public-domain LibriVox reading; see the “Demo recording” tab.</source>
        <translation>El modelo integrado se entrenó con colecciones públicas de voz, música y ruido; sus licencias y créditos figuran en la pestaña «Modelo integrado». La grabación de demostración es una lectura de LibriVox de dominio público; consulte la pestaña «Grabación de demostración».</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Speech is restored with DeepFilterNet3 by Hendrik Schröter and others (MIT or Apache-2.0): its published weights in SeminarioIA&apos;s own implementation; see the “Speech model” tab.</source>
        <translation>La voz se restaura con DeepFilterNet3, de Hendrik Schröter y otros (MIT o Apache-2.0): sus pesos publicados en una implementación propia de SeminarioIA; véase la pestaña «Modelo de voz».</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Built with</source>
        <translation>Hecho con</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Component</source>
        <translation>Componente</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Version</source>
        <translation>Versión</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Licence</source>
        <translation>Licencia</translation>
    </message>
</context>
<context>
    <name>AnalysisController</name>
    <message>
        <location filename="../../app/controllers/analysis.py" line="+60"/>
        <source>Open a recording to analyse it.</source>
        <translation>Abra una grabación para analizarla.</translation>
    </message>
    <message>
        <location line="+39"/>
        <source>Analysing…</source>
        <translation>Analizando…</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>Analysis failed: {error}</source>
        <translation>El análisis falló: {error}</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Analysing… {fraction:.0%}</source>
        <translation>Analizando… {fraction:.0%}</translation>
    </message>
</context>
<context>
    <name>AnalysisPanel</name>
    <message>
        <location filename="../../app/views/analysis.py" line="+33"/>
        <source>Signal-to-noise</source>
        <translation>Relación señal/ruido</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Loudness</source>
        <translation>Sonoridad</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>True peak</source>
        <translation>Pico real</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>RMS level</source>
        <translation>Nivel RMS</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Crest factor</source>
        <translation>Factor de cresta</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Spectral centroid</source>
        <translation>Centroide espectral</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Spectral flatness</source>
        <translation>Planitud espectral</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Dominant frequencies</source>
        <translation>Frecuencias dominantes</translation>
    </message>
    <message>
        <location line="+33"/>
        <source>Open a recording to analyse it.</source>
        <translation>Abra una grabación para analizarla.</translation>
    </message>
    <message>
        <location line="+3"/>
        <location line="+97"/>
        <location line="+25"/>
        <source>Before</source>
        <translation>Antes</translation>
    </message>
    <message>
        <location line="-122"/>
        <location line="+108"/>
        <location line="+21"/>
        <source>After</source>
        <translation>Después</translation>
    </message>
    <message>
        <location line="-118"/>
        <source>Energy per band (dBFS, from Hz)</source>
        <translation>Energía por banda (dBFS, desde Hz)</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Envelope (dBFS)</source>
        <translation>Envolvente (dBFS)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Time</source>
        <translation>Tiempo</translation>
    </message>
    <message>
        <location line="+47"/>
        <source>Before and after restoration.</source>
        <translation>Antes y después de la restauración.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Before restoration (apply to compare).</source>
        <translation>Antes de la restauración (aplique para comparar).</translation>
    </message>
</context>
<context>
    <name>BatchExportDialog</name>
    <message>
        <location filename="../../app/dialogs/export.py" line="+286"/>
        <source>Restore a folder</source>
        <translation>Restaurar una carpeta</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Browse…</source>
        <translation>Examinar…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Folder to restore</source>
        <translation>Carpeta que restaurar</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Write restored files to</source>
        <translation>Guardar los archivos restaurados en</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Recordings in</source>
        <translation>Grabaciones en</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Write to</source>
        <translation>Guardar en</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Preset</source>
        <translation>Ajuste predefinido</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Format</source>
        <translation>Formato</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Sample format</source>
        <translation>Formato de muestra</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Strength</source>
        <translation>Intensidad</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>{percent} %, as in the Restore panel</source>
        <translation>{percent} %, como en el panel Restaurar</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Subfolders are restored too, into the same structure. A folder restored before continues where it stopped: files already done are skipped.</source>
        <translation>También se restauran las subcarpetas, con la misma estructura. Una carpeta ya restaurada antes continúa donde se detuvo: se omiten los archivos ya hechos.</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Restore all</source>
        <translation>Restaurar todo</translation>
    </message>
</context>
<context>
    <name>ExportController</name>
    <message>
        <location filename="../../app/controllers/export.py" line="+105"/>
        <source>Apply a restoration before exporting it.</source>
        <translation>Aplique una restauración antes de exportarla.</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>Exporting {name}</source>
        <translation>Exportando {name}</translation>
    </message>
    <message>
        <location line="+42"/>
        <source>The folder cannot be restored.</source>
        <translation>La carpeta no se puede restaurar.</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Restoring {name}</source>
        <translation>Restaurando {name}</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Another export is running; it will follow.</source>
        <translation>Hay otra exportación en curso; esta irá después.</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Exported {path}</source>
        <translation>Exportado {path}</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>{job} failed.</source>
        <translation>{job}: falló.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>{job}: cancelled; no partial file was left.</source>
        <translation>{job}: cancelado; no quedó ningún archivo a medias.</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>Restored {count} file(s) into {folder}</source>
        <translation>{count} archivo(s) restaurado(s) en {folder}</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Restored {count} file(s)</source>
        <translation>{count} archivo(s) restaurado(s)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>; {count} done before</source>
        <translation>; {count} ya hecho(s) antes</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>; {count} failed: {names}</source>
        <translation>; {count} con errores: {names}</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>… and {count} more, each with its reason in {journal}</source>
        <translation>… y {count} más, cada uno con su motivo en {journal}</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Some files were not restored</source>
        <translation>Algunos archivos no se restauraron</translation>
    </message>
</context>
<context>
    <name>ExportDialog</name>
    <message>
        <location filename="../../app/dialogs/export.py" line="-280"/>
        <source>16-bit (dithered)</source>
        <translation>16 bits (con dither)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>24-bit</source>
        <translation>24 bits</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>32-bit float</source>
        <translation>32 bits en coma flotante</translation>
    </message>
    <message>
        <location line="+38"/>
        <source>Replace the file?</source>
        <translation>¿Reemplazar el archivo?</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>{name} already exists in {folder}. Replace it?</source>
        <translation>{name} ya existe en {folder}. ¿Reemplazarlo?</translation>
    </message>
    <message>
        <location line="+25"/>
        <source>{format} (lossy)</source>
        <translation>{format} (con pérdida)</translation>
    </message>
    <message>
        <location line="+50"/>
        <location line="+34"/>
        <source>Export</source>
        <translation>Exportar</translation>
    </message>
    <message>
        <location line="-30"/>
        <source>Browse…</source>
        <translation>Examinar…</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Restored recording</source>
        <translation>Grabación restaurada</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Removed noise only</source>
        <translation>Solo el ruido eliminado</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Original (converted)</source>
        <translation>Original (convertida)</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Same as the recording</source>
        <translation>La de la grabación</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Same as the recording ({rate} Hz)</source>
        <translation>La de la grabación ({rate} Hz)</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>{rate} Hz</source>
        <translation>{rate} Hz</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>TPDF dither</source>
        <translation>Tramado (dither) TPDF</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Adds a faint noise when reducing to 16 bits so quiet passages fade smoothly</source>
        <translation>Añade un ruido muy débil al reducir a 16 bits para que los pasajes suaves se desvanezcan sin escalones</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Save as</source>
        <translation>Guardar como</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Format</source>
        <translation>Formato</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Sample format</source>
        <translation>Formato de muestra</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Sample rate</source>
        <translation>Frecuencia de muestreo</translation>
    </message>
    <message>
        <location line="+30"/>
        <source>{format} has no {rate} Hz: the file will be at {written} Hz.</source>
        <translation>{format} no admite {rate} Hz: el archivo se escribirá a {written} Hz.</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Export as</source>
        <translation>Exportar como</translation>
    </message>
</context>
<context>
    <name>JobStatus</name>
    <message>
        <location filename="../../app/views/jobstatus.py" line="+22"/>
        <source>Cancel</source>
        <translation>Cancelar</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../app/main_window.py" line="+101"/>
        <source>Open a recording (Ctrl+O) or drop one here.</source>
        <translation>Abra una grabación (Ctrl+O) o arrástrela aquí.</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>Recordings</source>
        <translation>Grabaciones</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Restore</source>
        <translation>Restaurar</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Analysis</source>
        <translation>Análisis</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Opened</source>
        <translation>Abierto</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>History</source>
        <translation>Historial</translation>
    </message>
    <message>
        <location line="+95"/>
        <source>New here? Try the demo recording (File ▸ Open the demo recording), press Apply to restore it, then B to switch between the original, the restored sound and the removed noise.</source>
        <translation>¿Es la primera vez? Pruebe la grabación de demostración (Archivo ▸ Abrir la grabación de demostración), pulse Aplicar para restaurarla y luego B para alternar entre el original, el sonido restaurado y el ruido eliminado.</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Open the demo</source>
        <translation>Abrir la demostración</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Dismiss</source>
        <translation>Descartar</translation>
    </message>
    <message>
        <location line="+22"/>
        <source>This is the demo recording: press Apply to restore it, then B to switch between the original, the restored sound and the removed noise.</source>
        <translation>Esta es la grabación de demostración: pulse Aplicar para restaurarla y luego B para alternar entre el original, el sonido restaurado y el ruido eliminado.</translation>
    </message>
    <message>
        <location line="+35"/>
        <source>&amp;Open…</source>
        <translation>&amp;Abrir…</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Open the &amp;demo recording</source>
        <translation>Abrir la grabación de &amp;demostración</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>A short noisy recording to try the restoration on</source>
        <translation>Una grabación corta con ruido para probar la restauración</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>&amp;Close recording</source>
        <translation>&amp;Cerrar grabación</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>&amp;Export…</source>
        <translation>&amp;Exportar…</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Write the restored file</source>
        <translation>Guardar el archivo restaurado</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Restore a &amp;folder…</source>
        <translation>Restaurar una &amp;carpeta…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Preferences…</source>
        <translation>&amp;Preferencias…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Quit</source>
        <translation>&amp;Salir</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Undo</source>
        <translation>&amp;Deshacer</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Redo</source>
        <translation>&amp;Rehacer</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Apply restoration</source>
        <translation>&amp;Aplicar restauración</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Learn noise from selection</source>
        <translation>&amp;Aprender el ruido de la selección</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Train a model…</source>
        <translation>&amp;Entrenar un modelo…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Play / pause</source>
        <translation>Re&amp;producir / pausa</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Stop</source>
        <translation>&amp;Detener</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Cycle &amp;A/B/removed noise</source>
        <translation>Alternar &amp;A/B/ruido eliminado</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Go to &amp;start</source>
        <translation>Ir al &amp;inicio</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Go to &amp;end</source>
        <translation>Ir al &amp;final</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Move &amp;back</source>
        <translation>&amp;Retroceder</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Move &amp;forward</source>
        <translation>A&amp;vanzar</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Show &amp;removed noise below</source>
        <translation>Mostrar el &amp;ruido eliminado debajo</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Show the difference (what was removed) instead of the restored signal</source>
        <translation>Mostrar la diferencia (lo que se eliminó) en lugar de la señal restaurada</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Spectrogram per &amp;channel</source>
        <translation>Espectrograma por &amp;canal</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>One spectrogram for each channel of a stereo recording, stacked</source>
        <translation>Un espectrograma por cada canal de una grabación estéreo, uno encima de otro</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Zoom &amp;in</source>
        <translation>&amp;Acercar</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Zoom &amp;out</source>
        <translation>A&amp;lejar</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Zoom to &amp;selection</source>
        <translation>Ajustar a la &amp;selección</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Show &amp;all</source>
        <translation>&amp;Mostrar todo</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Select &amp;all</source>
        <translation>Seleccionar &amp;todo</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;About SeminarioIA</source>
        <translation>&amp;Acerca de SeminarioIA</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>&amp;File</source>
        <translation>&amp;Archivo</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Open &amp;recent</source>
        <translation>Abrir &amp;recientes</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>&amp;Edit</source>
        <translation>&amp;Editar</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>&amp;History</source>
        <translation>&amp;Historial</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>&amp;View</source>
        <translation>&amp;Ver</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>&amp;Playback</source>
        <translation>Re&amp;producción</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>&amp;Restore</source>
        <translation>&amp;Restaurar</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>&amp;Help</source>
        <translation>Ay&amp;uda</translation>
    </message>
    <message>
        <location line="+62"/>
        <source>No sound</source>
        <translation>Sin sonido</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>(none yet)</source>
        <translation>(ninguna todavía)</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Clear the list</source>
        <translation>Vaciar la lista</translation>
    </message>
    <message>
        <location line="+35"/>
        <source>The new language is used the next time SeminarioIA starts.</source>
        <translation>El nuevo idioma se usará la próxima vez que se inicie SeminarioIA.</translation>
    </message>
</context>
<context>
    <name>PlaybackController</name>
    <message>
        <location filename="../../app/controllers/playback.py" line="+91"/>
        <source>Playback is turned off (--no-sound).</source>
        <translation>La reproducción está desactivada (--no-sound).</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Playback is not available ({error}).</source>
        <translation>La reproducción no está disponible ({error}).</translation>
    </message>
    <message>
        <location line="+22"/>
        <source>Playback is not available: {error}</source>
        <translation>La reproducción no está disponible: {error}</translation>
    </message>
    <message>
        <location line="+60"/>
        <location line="+46"/>
        <location line="+94"/>
        <source>Playback: {error}</source>
        <translation>Reproducción: {error}</translation>
    </message>
    <message>
        <location line="-105"/>
        <source>Apply a restoration to compare it with the original.</source>
        <translation>Aplique una restauración para compararla con el original.</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Listening to: {source}</source>
        <translation>Escuchando: {source}</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>No sound output.</source>
        <translation>No hay salida de sonido.</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Playback failed.</source>
        <translation>La reproducción falló.</translation>
    </message>
</context>
<context>
    <name>Player</name>
    <message>
        <location filename="../../app/playback.py" line="+74"/>
        <source>PortAudio library missing (install libportaudio2); playback is off.</source>
        <translation>Falta la biblioteca PortAudio (instale libportaudio2); la reproducción está desactivada.</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>The sounddevice package is not installed; playback is off.</source>
        <translation>El paquete sounddevice no está instalado; la reproducción está desactivada.</translation>
    </message>
    <message>
        <location line="+104"/>
        <source>The audio system could not list devices ({error}); playback is off.</source>
        <translation>El sistema de audio no pudo enumerar los dispositivos ({error}); la reproducción está desactivada.</translation>
    </message>
    <message>
        <location line="+5"/>
        <location line="+301"/>
        <source>No audio output device was found; playback is off.</source>
        <translation>No se encontró ningún dispositivo de salida de audio; la reproducción está desactivada.</translation>
    </message>
    <message>
        <location line="-294"/>
        <source>{count} output device(s); default: {name}</source>
        <translation>{count} dispositivo(s) de salida; predeterminado: {name}</translation>
    </message>
    <message>
        <location line="+220"/>
        <source>There is nothing to play yet.</source>
        <translation>Todavía no hay nada que reproducir.</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>Playback could not start: {error}</source>
        <translation>No se pudo iniciar la reproducción: {error}</translation>
    </message>
    <message>
        <location line="+41"/>
        <source>The audio device {device!r} cannot play sound: {error}</source>
        <translation>El dispositivo de audio {device!r} no puede reproducir sonido: {error}</translation>
    </message>
    <message>
        <location line="+34"/>
        <source>The audio device {device!r} accepts neither {rate} Hz nor {device_rate} Hz: {error}</source>
        <translation>El dispositivo de audio {device!r} no acepta ni {rate} Hz ni {device_rate} Hz: {error}</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>The audio device {device!r} cannot be opened: {error}</source>
        <translation>No se puede abrir el dispositivo de audio {device!r}: {error}</translation>
    </message>
</context>
<context>
    <name>PreferencesDialog</name>
    <message>
        <location filename="../../app/dialogs/preferences.py" line="+32"/>
        <source>Preferences</source>
        <translation>Preferencias</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>System default</source>
        <translation>Predeterminado del sistema</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>{device} (not connected)</source>
        <translation>{device} (no conectado)</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Compare at equal loudness (A/B)</source>
        <translation>Comparar a igual sonoridad (A/B)</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Play Original and Restored at the same loudness, so louder never sounds better</source>
        <translation>Reproducir el original y el restaurado a la misma sonoridad, para que lo más fuerte no parezca mejor</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>System language</source>
        <translation>Idioma del sistema</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Takes effect after a restart</source>
        <translation>Se aplica al reiniciar</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The new language is used the next time SeminarioIA starts.</source>
        <translation>El nuevo idioma se usará la próxima vez que se inicie SeminarioIA.</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Audio output</source>
        <translation>Salida de audio</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Language</source>
        <translation>Idioma</translation>
    </message>
</context>
<context>
    <name>RestoreController</name>
    <message>
        <location filename="../../app/controllers/restore.py" line="+202"/>
        <source>Open a recording first.</source>
        <translation>Abra primero una grabación.</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>The restoration cannot start.</source>
        <translation>La restauración no puede empezar.</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>{preset}, {start}–{stop}</source>
        <translation>{preset}, {start}–{stop}</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Restoring {name}…</source>
        <translation>Restaurando {name}…</translation>
    </message>
    <message>
        <location line="+22"/>
        <source>Restored {name} with “{preset}”.</source>
        <translation>{name} restaurado con «{preset}».</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Restoration failed.</source>
        <translation>La restauración falló.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Could not restore “{name}”.</source>
        <translation>No se pudo restaurar «{name}».</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Restoration cancelled; nothing was changed.</source>
        <translation>Restauración cancelada; no se cambió nada.</translation>
    </message>
    <message>
        <location line="+47"/>
        <source>Select a stretch that holds noise only first.</source>
        <translation>Seleccione antes un tramo que solo contenga ruido.</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>No noise profile was learned.</source>
        <translation>No se ha aprendido ningún perfil de ruido.</translation>
    </message>
    <message>
        <location line="-4"/>
        <source>Noise profile learned; Apply now takes that noise out.</source>
        <translation>Perfil de ruido aprendido; Aplicar quitará ahora ese ruido.</translation>
    </message>
    <message>
        <location line="+28"/>
        <source>Noise profile from {start}–{stop}</source>
        <translation>Perfil de ruido de {start}–{stop}</translation>
    </message>
    <message>
        <location line="+77"/>
        <source>Preview failed: {error}</source>
        <translation>Falló la vista previa: {error}</translation>
    </message>
</context>
<context>
    <name>RestorePanel</name>
    <message>
        <location filename="../../app/views/restore.py" line="+171"/>
        <source>Save preset…</source>
        <translation>Guardar ajuste…</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>The AI model used by the “AI noise reduction” step</source>
        <translation>El modelo de IA que usa el paso «Reducción de ruido con IA»</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>How much of what the chain removed is taken away (preview)</source>
        <translation>Cuánto de lo que la cadena eliminó se quita realmente (vista previa)</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Apply</source>
        <translation>Aplicar</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Restore the recording with this chain (Ctrl+R)</source>
        <translation>Restaurar la grabación con esta cadena (Ctrl+R)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Cancel</source>
        <translation>Cancelar</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>What the last restoration did</source>
        <translation>Qué hizo la última restauración</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Forget</source>
        <translation>Olvidar</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Apply without the learned noise profile</source>
        <translation>Aplicar sin el perfil de ruido aprendido</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Preset</source>
        <translation>Ajuste predefinido</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Model</source>
        <translation>Modelo</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Strength</source>
        <translation>Intensidad</translation>
    </message>
    <message>
        <location line="+30"/>
        <source>{name} (mine)</source>
        <translation>{name} (mío)</translation>
    </message>
    <message>
        <location line="+44"/>
        <source>Cannot use preset {name}: {error}</source>
        <translation>No se puede usar el ajuste {name}: {error}</translation>
    </message>
    <message>
        <location line="+42"/>
        <source>Steps run: {steps}</source>
        <translation>Pasos aplicados: {steps}</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Heard speech</source>
        <translation>Se oyó voz</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Heard music</source>
        <translation>Se oyó música</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Hum at {hz} Hz, {level} dBFS</source>
        <translation>Zumbido a {hz} Hz, {level} dBFS</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Clicks: {count} per minute</source>
        <translation>Clics: {count} por minuto</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Clipped: {share} % of the samples</source>
        <translation>Saturación: {share} % de las muestras</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Noise about {snr} dB below the programme</source>
        <translation>Ruido unos {snr} dB por debajo del programa</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Only noise above {khz} kHz</source>
        <translation>Solo ruido por encima de {khz} kHz</translation>
    </message>
    <message>
        <location line="+23"/>
        <source>The repair assistant measures each recording and chooses the repair steps itself; only the model chosen above is taken as given.</source>
        <translation>El asistente de reparación mide cada grabación y elige él mismo los pasos de reparación; solo el modelo elegido arriba se respeta tal cual.</translation>
    </message>
    <message>
        <location line="+37"/>
        <source>Preset saved: {path}</source>
        <translation>Ajuste guardado: {path}</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Save preset</source>
        <translation>Guardar ajuste</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Name of the new preset:</source>
        <translation>Nombre del nuevo ajuste:</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>The preset was not saved.</source>
        <translation>El preajuste no se guardó.</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Automatic: DeepFilterNet3 on speech, SeminarioIA on music</source>
        <translation>Automático: DeepFilterNet3 en voz, SeminarioIA en música</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>DeepFilterNet3 (speech)</source>
        <translation>DeepFilterNet3 (voz)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>SeminarioIA (music and general)</source>
        <translation>SeminarioIA (música y general)</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>{model} (not installed)</source>
        <translation>{model} (no instalado)</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Other model file…</source>
        <translation>Otro archivo de modelo…</translation>
    </message>
    <message>
        <location line="+26"/>
        <source>Choose a model</source>
        <translation>Elegir un modelo</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Keras models (*.keras)</source>
        <translation>Modelos de Keras (*.keras)</translation>
    </message>
    <message>
        <location line="+30"/>
        <source>Everything the chain removed is taken out.</source>
        <translation>Todo lo que la cadena quitó se elimina.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The original: nothing is taken out.</source>
        <translation>El original: no se quita nada.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>What the chain removed stays, {db:.0f} dB down.</source>
        <translation>Lo que la cadena quitó se queda, {db:.0f} dB más bajo.</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>How much of what the chain removed is taken away (preview, instant)</source>
        <translation>Cuánto de lo que la cadena eliminó se quita realmente (vista previa, instantánea)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Apply a restoration first</source>
        <translation>Aplique antes una restauración</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Starting…</source>
        <translation>Empezando…</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Cancelling…</source>
        <translation>Cancelando…</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>{what} — {fraction}</source>
        <translation>{what} — {fraction}</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>{s} s left</source>
        <translation>quedan {s} s</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>{m} min {s:02d} s left</source>
        <translation>quedan {m} min {s:02d} s</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>{h} h {m:02d} min left</source>
        <translation>quedan {h} h {m:02d} min</translation>
    </message>
    <message>
        <location line="-13"/>
        <source>Working</source>
        <translation>Trabajando</translation>
    </message>
</context>
<context>
    <name>SessionController</name>
    <message>
        <location filename="../../app/controllers/session.py" line="+65"/>
        <source>Open recordings</source>
        <translation>Abrir grabaciones</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Audio files ({patterns});;All files (*)</source>
        <translation>Archivos de audio ({patterns});;Todos los archivos (*)</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>Opening {name}…</source>
        <translation>Abriendo {name}…</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>The demo recording could not be created.</source>
        <translation>No se pudo crear la grabación de demostración.</translation>
    </message>
    <message>
        <location line="+25"/>
        <source>Opened {name}: {seconds:.1f} s, {channels} channel(s), {rate} Hz</source>
        <translation>Abierto {name}: {seconds:.1f} s, {channels} canal(es), {rate} Hz</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Could not open {name}</source>
        <translation>No se pudo abrir {name}</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Could not open “{name}”.</source>
        <translation>No se pudo abrir «{name}».</translation>
    </message>
    <message>
        <location line="+37"/>
        <source>The restoration of {name} was never exported.</source>
        <translation>La restauración de {name} no se ha exportado.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The restorations of {count} recordings were never exported: {names}.</source>
        <translation>Las restauraciones de {count} grabaciones no se han exportado: {names}.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Discard the restoration?</source>
        <translation>¿Descartar la restauración?</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Discard it, or cancel and export it first?</source>
        <translation>¿Descartarla, o cancelar y exportarla antes?</translation>
    </message>
</context>
<context>
    <name>StepEditor</name>
    <message>
        <location filename="../../app/views/restore.py" line="-473"/>
        <source>Bypass</source>
        <translation>Omitir</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Skip this step when restoring</source>
        <translation>Saltar este paso al restaurar</translation>
    </message>
</context>
<context>
    <name>TimelineFooter</name>
    <message>
        <location filename="../../app/views/timeline.py" line="+638"/>
        <source>Selection start (type a time and press Enter)</source>
        <translation>Inicio de la selección (escriba un tiempo y pulse Intro)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Selection end</source>
        <translation>Fin de la selección</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Selection length</source>
        <translation>Duración de la selección</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Linear frequency</source>
        <translation>Frecuencia lineal</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Log frequency</source>
        <translation>Frecuencia logarítmica</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Mel frequency</source>
        <translation>Frecuencia mel</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Frequency scale of the spectrograms (Shift+wheel zooms in frequency)</source>
        <translation>Escala de frecuencia de los espectrogramas (Mayús+rueda amplía en frecuencia)</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>L/R</source>
        <translation>I/D</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Show each channel of a stereo recording apart</source>
        <translation>Mostrar por separado cada canal de una grabación estéreo</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Selection:</source>
        <translation>Selección:</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Length:</source>
        <translation>Duración:</translation>
    </message>
</context>
<context>
    <name>TimelineView</name>
    <message>
        <location line="-529"/>
        <source>Original</source>
        <translation>Original</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+2"/>
        <location line="+288"/>
        <source>Spectrum</source>
        <translation>Espectro</translation>
    </message>
    <message>
        <location line="-289"/>
        <location line="+243"/>
        <source>Restored</source>
        <translation>Restaurada</translation>
    </message>
    <message>
        <location line="-217"/>
        <source>Time</source>
        <translation>Tiempo</translation>
    </message>
    <message>
        <location line="+217"/>
        <source>Removed noise</source>
        <translation>Ruido eliminado</translation>
    </message>
    <message>
        <location line="+193"/>
        <source>{freq} Hz</source>
        <translation>{freq} Hz</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>{level} dB</source>
        <translation>{level} dB</translation>
    </message>
</context>
<context>
    <name>TrainingController</name>
    <message>
        <location filename="../../app/controllers/training.py" line="+41"/>
        <source>Training is not available in this build ({error}).</source>
        <translation>El entrenamiento no está disponible en esta versión ({error}).</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>New model ready: {name}</source>
        <translation>Nuevo modelo listo: {name}</translation>
    </message>
</context>
<context>
    <name>TrainingDialog</name>
    <message>
        <location filename="../../app/dialogs/training.py" line="+97"/>
        <source>Train a model</source>
        <translation>Entrenar un modelo</translation>
    </message>
    <message>
        <location line="+23"/>
        <source>Browse…</source>
        <translation>Examinar…</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Training data</source>
        <translation>Datos de entrenamiento</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Paired noisy/ and clean/ folders</source>
        <translation>Carpetas emparejadas noisy/ y clean/</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Synthesise pairs from clean audio and noise</source>
        <translation>Sintetizar pares a partir de audio limpio y ruido</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>folder of noisy recordings</source>
        <translation>carpeta de grabaciones con ruido</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>folder of the same recordings, clean</source>
        <translation>carpeta con las mismas grabaciones, limpias</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Noisy folder</source>
        <translation>Carpeta con ruido</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Clean folder</source>
        <translation>Carpeta limpia</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>folder of clean recordings</source>
        <translation>carpeta de grabaciones limpias</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>folder of noise recordings (optional)</source>
        <translation>carpeta de grabaciones de ruido (opcional)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Clean audio</source>
        <translation>Audio limpio</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Folder of clean audio</source>
        <translation>Carpeta de audio limpio</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Noise</source>
        <translation>Ruido</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Folder of noise</source>
        <translation>Carpeta de ruido</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Make pairs</source>
        <translation>Crear pares</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Write degraded copies of the clean files (noise, hum, clicks, reverb, …) with their clean targets under {folder}</source>
        <translation>Escribir copias degradadas de los archivos limpios (ruido, zumbido, clics, reverberación, …) con sus versiones limpias en {folder}</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>seed</source>
        <translation>semilla</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Pairs</source>
        <translation>Pares</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Check pairs</source>
        <translation>Comprobar pares</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Match the files of both folders and look for problems</source>
        <translation>Emparejar los archivos de ambas carpetas y buscar problemas</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Pair report: press “Check pairs”.</source>
        <translation>Informe de pares: pulse «Comprobar pares».</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Model</source>
        <translation>Modelo</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>dfn3: DeepFilterNet3, the built-in speech model; fine-tune it on your speech</source>
        <translation>dfn3: DeepFilterNet3, el modelo de voz incorporado; ajústelo con su propia voz</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Architecture</source>
        <translation>Arquitectura</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Start from the built-in model (fine-tune)</source>
        <translation>Partir del modelo integrado (ajuste fino)</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>The built-in model file is missing from this installation.</source>
        <translation>Falta el archivo del modelo integrado en esta instalación.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Continue training the built-in model of this architecture on your data (dfn3: DeepFilterNet3; the others: SeminarioIA&apos;s own model, whose architecture is kept).</source>
        <translation>Seguir entrenando con sus datos el modelo incorporado de esta arquitectura (dfn3: DeepFilterNet3; las demás: el modelo propio de SeminarioIA, cuya arquitectura se conserva).</translation>
    </message>
    <message>
        <location line="+26"/>
        <source>Epochs</source>
        <translation>Épocas</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Batch</source>
        <translation>Lote</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Validation share</source>
        <translation>Fracción de validación</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Learning rate</source>
        <translation>Tasa de aprendizaje</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Model name</source>
        <translation>Nombre del modelo</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>epoch</source>
        <translation>época</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>loss</source>
        <translation>pérdida</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>training loss</source>
        <translation>pérdida de entrenamiento</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>validation loss</source>
        <translation>pérdida de validación</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Choose the training data.</source>
        <translation>Elija los datos de entrenamiento.</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>Train</source>
        <translation>Entrenar</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Cancel</source>
        <translation>Cancelar</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Stop the running job; nothing is saved</source>
        <translation>Detener el trabajo en curso; no se guarda nada</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Close</source>
        <translation>Cerrar</translation>
    </message>
    <message>
        <location line="+94"/>
        <source>Cannot create {folder}: {error}</source>
        <translation>No se puede crear {folder}: {error}</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Synthesising pairs…</source>
        <translation>Sintetizando pares…</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Checking pairs…</source>
        <translation>Comprobando pares…</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>the learning rate {value!r} is not a number</source>
        <translation>la tasa de aprendizaje {value!r} no es un número</translation>
    </message>
    <message>
        <location line="+35"/>
        <source>Loading TensorFlow…</source>
        <translation>Cargando TensorFlow…</translation>
    </message>
    <message>
        <location line="+22"/>
        <source>Starting training…</source>
        <translation>Iniciando el entrenamiento…</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Cancelling…</source>
        <translation>Cancelando…</translation>
    </message>
    <message>
        <location line="+22"/>
        <source>{count} usable pairs; ready to train.</source>
        <translation>{count} pares utilizables; listo para entrenar.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>No usable pairs.</source>
        <translation>No hay pares utilizables.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>These folders hold no usable pairs; see the report above.</source>
        <translation>Estas carpetas no contienen pares utilizables; vea el informe de arriba.</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Pairs written to {folder}.</source>
        <translation>Pares guardados en {folder}.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Saved the model as {name} in {folder}.</source>
        <translation>Modelo guardado como {name} en {folder}.</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>(A model named “{name}” already exists, so it was not replaced.)</source>
        <translation>(Ya existe un modelo llamado «{name}», así que no se sustituyó.)</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Validation SI-SDR: {before:.1f} dB before → {after:.1f} dB after ({gain:+.1f} dB).</source>
        <translation>SI-SDR de validación: {before:.1f} dB antes → {after:.1f} dB después ({gain:+.1f} dB).</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>{epochs} epochs (best: {best}), {train} training and {val} validation files, {seconds:.0f} s.</source>
        <translation>{epochs} épocas (mejor: {best}), {train} archivos de entrenamiento y {val} de validación, {seconds:.0f} s.</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Training finished.</source>
        <translation>Entrenamiento terminado.</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>The training stopped with an error.</source>
        <translation>El entrenamiento se detuvo con un error.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The check stopped with an error.</source>
        <translation>La comprobación se detuvo con un error.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The synthesis stopped with an error.</source>
        <translation>La síntesis se detuvo con un error.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The job stopped with an error.</source>
        <translation>El trabajo se detuvo con un error.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Cancelled; no model was saved.</source>
        <translation>Cancelado; no se guardó ningún modelo.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Cancelled; nothing was kept.</source>
        <translation>Cancelado; no se conservó nada.</translation>
    </message>
</context>
<context>
    <name>TransportBar</name>
    <message>
        <location filename="../../app/views/transport.py" line="+19"/>
        <source>Original</source>
        <translation>Original</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Restored</source>
        <translation>Restaurada</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Removed noise</source>
        <translation>Ruido eliminado</translation>
    </message>
    <message>
        <location line="+22"/>
        <location line="+53"/>
        <source>Play / pause (Space)</source>
        <translation>Reproducir / pausa (Espacio)</translation>
    </message>
    <message>
        <location line="-50"/>
        <source>Stop and go back to the start (Home)</source>
        <translation>Detener y volver al inicio (Inicio)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Loop selection</source>
        <translation>Repetir la selección</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>What you hear: B cycles Original → Restored → Removed noise</source>
        <translation>Lo que oye: B alterna Original → Restaurado → Ruido eliminado</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Listen to:</source>
        <translation>Escuchar:</translation>
    </message>
</context>
<context>
    <name>ViewController</name>
    <message>
        <location filename="../../app/controllers/view.py" line="+68"/>
        <source>Not restored yet — choose a preset and click Apply</source>
        <translation>Aún sin restaurar: elija un ajuste predefinido y pulse Aplicar</translation>
    </message>
    <message>
        <location line="+49"/>
        <source>Spectrogram failed: {error}</source>
        <translation>Falló el espectrograma: {error}</translation>
    </message>
</context>
<context>
    <name>core</name>
    <message>
        <location filename="../../app/core_text.py" line="+24"/>
        <source>Remove DC offset</source>
        <translation>Quitar la componente continua</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>High-pass (rumble filter)</source>
        <translation>Paso alto (filtro de retumbe)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Cut-off</source>
        <translation>Corte</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Low-pass (hiss above the band)</source>
        <translation>Paso bajo (siseo por encima de la banda)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>De-clip</source>
        <translation>Reparar recortes</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Headroom</source>
        <translation>Margen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>De-click / de-crackle</source>
        <translation>Quitar clics / crepitaciones</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Kind</source>
        <translation>Tipo</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Threshold (lower finds more)</source>
        <translation>Umbral (más bajo encuentra más)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>De-hum</source>
        <translation>Quitar zumbido</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Mains frequency</source>
        <translation>Frecuencia de red</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Harmonics</source>
        <translation>Armónicos</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Spectral noise gate</source>
        <translation>Puerta de ruido espectral</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Reduction</source>
        <translation>Reducción</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Threshold above noise</source>
        <translation>Umbral sobre el ruido</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Steady noise (hiss) reduction</source>
        <translation>Reducción de ruido estable (soplido)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Noise reduction from a noise profile (full band)</source>
        <translation>Reducción de ruido con un perfil de ruido (banda completa)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Noise profile</source>
        <translation>Perfil de ruido</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>AI noise reduction</source>
        <translation>Reducción de ruido con IA</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Model</source>
        <translation>Modelo</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Maximum reduction</source>
        <translation>Reducción máxima</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>no limit</source>
        <translation>sin límite</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Above the model&apos;s band</source>
        <translation>Por encima de la banda del modelo</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Channels</source>
        <translation>Canales</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Steady noise first</source>
        <translation>Primero el ruido estable</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Speech-in-noise model</source>
        <translation>Modelo de voz en ruido</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Normalise level</source>
        <translation>Normalizar el nivel</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Measure</source>
        <translation>Medida</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Target</source>
        <translation>Objetivo</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>True-peak limiter</source>
        <translation>Limitador de pico real</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Ceiling</source>
        <translation>Techo</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Release</source>
        <translation>Liberación</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>clicks</source>
        <translation>clics</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>crackle</source>
        <translation>crepitado</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>auto</source>
        <translation>automático</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>follow</source>
        <translation>seguir</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>keep</source>
        <translation>conservar</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>linked</source>
        <translation>enlazados</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>independent</source>
        <translation>independientes</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>off</source>
        <translation>desactivado</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>built-in</source>
        <translation>integrado</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>peak</source>
        <translation>pico</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>rms</source>
        <translation>RMS</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>lufs</source>
        <translation>LUFS</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>One-click restoration: remove DC and rumble, then AI noise reduction (DeepFilterNet3 on speech, SeminarioIA&apos;s own model on music).</source>
        <translation>Restauración con un clic: quita la componente continua y el retumbe, luego reducción de ruido con IA (DeepFilterNet3 en voz, el modelo propio de SeminarioIA en música).</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>AI noise reduction after removing DC and rumble: DeepFilterNet3 on speech, SeminarioIA&apos;s own model (up to 30 dB) on music.</source>
        <translation>Reducción de ruido con IA tras quitar la componente continua y el retumbe: DeepFilterNet3 en voz, el modelo propio de SeminarioIA (hasta 30 dB) en música.</translation>
    </message>
    <message>
        <location line="-16"/>
        <source>Find clicks and pops and rebuild the damaged samples from their surroundings.</source>
        <translation>Encuentra clics y chasquidos y reconstruye las muestras dañadas a partir de su entorno.</translation>
    </message>
    <message>
        <location line="-56"/>
        <source>estimating noise</source>
        <translation>estimando el ruido</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>measuring the band</source>
        <translation>midiendo la banda</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>looking for hum</source>
        <translation>buscando zumbido</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>looking for clicks</source>
        <translation>buscando clics</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>listening for unsteady noise</source>
        <translation>escuchando ruido variable</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>listening for speech</source>
        <translation>escuchando si hay voz</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>done</source>
        <translation>hecho</translation>
    </message>
    <message>
        <location line="+46"/>
        <source>The repair assistant measures each recording and repairs what it finds: clipping, clicks, hum, noise (DeepFilterNet3 on speech; on music, the steady noise of a profile learned from the whole recording, full band).</source>
        <translation>El asistente de reparación mide cada grabación y repara lo que encuentra: saturación, clics, zumbido, ruido (DeepFilterNet3 en voz; en música, el ruido constante de un perfil aprendido de toda la grabación, en toda la banda).</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Rebuild clipped peaks, then keep the true peak under -0.5 dBTP.</source>
        <translation>Reconstruye los picos recortados y mantiene el pico real por debajo de -0,5 dBTP.</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Remove mains hum (50 or 60 Hz, detected) and its harmonics, following its drift.</source>
        <translation>Quita el zumbido de red (50 o 60 Hz, detectado) y sus armónicos, siguiendo su deriva.</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Light AI noise reduction (at most 12 dB) that keeps the room and air.</source>
        <translation>Reducción de ruido con IA suave (12 dB como máximo) que conserva la sala y el aire.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Loudness for EBU R128 broadcast: -23 LUFS integrated, true peak at most -1 dBTP (three measure-and-limit rounds so limiting does not leave it short).</source>
        <translation>Sonoridad para emisión EBU R128: -23 LUFS integrados, pico real de -1 dBTP como máximo (tres rondas de medir y limitar para que la limitación no la deje corta).</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Loudness for podcasts: -16 LUFS integrated, true peak at most -1 dBTP (three measure-and-limit rounds so limiting does not leave it short).</source>
        <translation>Sonoridad para pódcast: -16 LUFS integrados, pico real de -1 dBTP como máximo (tres rondas de medir y limitar para que la limitación no la deje corta).</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Loudness for music streaming services: -14 LUFS integrated, true peak at most -1 dBTP (three measure-and-limit rounds so limiting does not leave it short).</source>
        <translation>Sonoridad para servicios de música en streaming: -14 LUFS integrados, pico real de -1 dBTP como máximo (tres rondas de medir y limitar para que la limitación no la deje corta).</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Only set the level: peak at -1 dBFS. Nothing else is changed.</source>
        <translation>Solo ajusta el nivel: pico a -1 dBFS. No se cambia nada más.</translation>
    </message>
</context>
<context>
    <name>document</name>
    <message>
        <location filename="../../app/document.py" line="+299"/>
        <source>Restore with “{preset}”</source>
        <translation>Restaurar con «{preset}»</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>Strength {percent} %</source>
        <translation>Intensidad {percent} %</translation>
    </message>
</context>
<context>
    <name>errors</name>
    <message>
        <location filename="../../app/errors.py" line="+75"/>
        <source>Cancelled</source>
        <translation>Cancelado</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The operation was cancelled; nothing was changed.</source>
        <translation>La operación se canceló; no se cambió nada.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>The file is damaged or not audio</source>
        <translation>El archivo está dañado o no es audio</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Its contents do not match what its name or header says. Open another copy of the recording, or convert it to WAV or FLAC with another program first.</source>
        <translation>Su contenido no corresponde a lo que dicen su nombre o su cabecera. Abra otra copia de la grabación o conviértala antes a WAV o FLAC con otro programa.</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>The recording is too long</source>
        <translation>La grabación es demasiado larga</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>It does not fit in this computer&apos;s memory. Restore it with the seminario command, which works through a file piece by piece.</source>
        <translation>No cabe en la memoria de este ordenador. Restáurela con la orden seminario, que recorre el archivo por partes.</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Cannot read or write the audio file</source>
        <translation>No se puede leer ni escribir el archivo de audio</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The file is missing, damaged or in a format SeminarioIA cannot handle. Try a WAV, FLAC, OGG, MP3 or AIFF file.</source>
        <translation>El archivo falta, está dañado o tiene un formato que SeminarioIA no puede manejar. Pruebe con un archivo WAV, FLAC, OGG, MP3 o AIFF.</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Unusable audio</source>
        <translation>Audio inutilizable</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The recording holds no usable sound (it is empty, or has invalid samples).</source>
        <translation>La grabación no contiene sonido utilizable (está vacía o tiene muestras no válidas).</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>The file already exists</source>
        <translation>El archivo ya existe</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>SeminarioIA does not replace a file unless you say so. Choose another name, or an empty folder.</source>
        <translation>SeminarioIA no reemplaza un archivo si usted no lo pide. Elija otro nombre o una carpeta vacía.</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Another file took that name</source>
        <translation>Otro archivo ocupó ese nombre</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>A file with the same name appeared while SeminarioIA was writing; it was kept as it was. Save again under another name.</source>
        <translation>Apareció un archivo con el mismo nombre mientras SeminarioIA escribía; se ha conservado tal cual. Guarde de nuevo con otro nombre.</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Not written, to protect your files</source>
        <translation>No se escribió, para proteger sus archivos</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>SeminarioIA never overwrites the recording it is reading. Choose another file name.</source>
        <translation>SeminarioIA nunca sobrescribe la grabación que está leyendo. Elija otro nombre de archivo.</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>The training folders do not match</source>
        <translation>Las carpetas de entrenamiento no coinciden</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The training folders cannot be used: noisy and clean folders must hold the same recordings under the same names.</source>
        <translation>Las carpetas de entrenamiento no se pueden usar: las carpetas con ruido y limpia deben contener las mismas grabaciones con los mismos nombres.</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>The model cannot be used</source>
        <translation>No se puede usar el modelo</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The restoration model is missing, damaged or from an incompatible version. Choose another model in the Restore panel, or train one.</source>
        <translation>El modelo de restauración falta, está dañado o es de una versión incompatible. Elija otro modelo en el panel Restaurar o entrene uno.</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>The folder cannot be written</source>
        <translation>No se puede escribir en la carpeta</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The folder is read-only or you may not write there. Choose another folder.</source>
        <translation>La carpeta es de solo lectura o usted no tiene permiso para escribir en ella. Elija otra carpeta.</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>The disk is full</source>
        <translation>El disco está lleno</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>There was not enough space; the unfinished file was removed. Free some space or choose another disk.</source>
        <translation>No había espacio suficiente; se eliminó el archivo incompleto. Libere espacio o elija otro disco.</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>The file could not be written</source>
        <translation>No se pudo escribir el archivo</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Nothing was left behind. Check that the folder exists and try again.</source>
        <translation>No quedó nada a medias. Compruebe que la carpeta existe e inténtelo de nuevo.</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>The chain file is not valid</source>
        <translation>El archivo de cadena no es válido</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>It is too large, too deeply nested or has too many steps to be a chain. Check that it is the right file.</source>
        <translation>Es demasiado grande, está demasiado anidado o tiene demasiados pasos para ser una cadena. Compruebe que es el archivo correcto.</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Training is not part of this installation</source>
        <translation>El entrenamiento no forma parte de esta instalación</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>This copy of SeminarioIA restores recordings without TensorFlow, which training, fine-tuning and converting older models need. Use the full installation for them.</source>
        <translation>Esta copia de SeminarioIA restaura grabaciones sin TensorFlow, que hace falta para entrenar, afinar modelos y convertir los modelos antiguos. Use la instalación completa para ello.</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Invalid settings</source>
        <translation>Ajustes no válidos</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>A restoration setting or preset is not valid.</source>
        <translation>Un ajuste o un ajuste predefinido de restauración no es válido.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Something went wrong</source>
        <translation>Algo salió mal</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The operation could not be completed.</source>
        <translation>No se pudo completar la operación.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Not enough memory</source>
        <translation>Memoria insuficiente</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The recording is too large to process in memory. Close other files and try again.</source>
        <translation>La grabación es demasiado grande para procesarla en memoria. Cierre otros archivos y vuelva a intentarlo.</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Permission denied</source>
        <translation>Permiso denegado</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>SeminarioIA is not allowed to read or write this location.</source>
        <translation>SeminarioIA no tiene permiso para leer o escribir en esta ubicación.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>File not found</source>
        <translation>Archivo no encontrado</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The file or folder does not exist any more.</source>
        <translation>El archivo o la carpeta ya no existe.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>File system error</source>
        <translation>Error del sistema de archivos</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The file could not be read or written.</source>
        <translation>No se pudo leer ni escribir el archivo.</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>file not found: {path}</source>
        <translation>no se encuentra el archivo: {path}</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>{path} is a folder, not an audio file</source>
        <translation>{path} es una carpeta, no un archivo de audio</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>{path} is not a regular file (a pipe or device?)</source>
        <translation>{path} no es un archivo normal (¿una tubería o un dispositivo?)</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>no permission to read {path}</source>
        <translation>no hay permiso para leer {path}</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>{name} is not audio SeminarioIA can read, or it is damaged (it reads {formats})</source>
        <translation>{name} no es audio que SeminarioIA pueda leer, o está dañado (lee {formats})</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>{name} is damaged: its header is impossible</source>
        <translation>{name} está dañado: su cabecera es imposible</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>{name} is damaged: its header claims {duration} of audio in {size} bytes</source>
        <translation>{name} está dañado: su cabecera dice tener {duration} de audio en {size} bytes</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>{name} is damaged: decoding stopped ({reason})</source>
        <translation>{name} está dañado: la decodificación se detuvo ({reason})</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>{name} contains no audio</source>
        <translation>{name} no contiene audio</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>{name} is too long to open at once ({hours} hours need {need} GiB, this computer has {have} GiB)</source>
        <translation>{name} es demasiado largo para abrirlo de una vez ({hours} horas necesitan {need} GiB, este ordenador tiene {have} GiB)</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>cannot write {name}: use one of {names}</source>
        <translation>no se puede escribir {name}: use uno de {names}</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>refusing to write over the input file {path}</source>
        <translation>no se escribe sobre el archivo de entrada {path}</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>{path} already exists</source>
        <translation>{path} ya existe</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>{path} appeared while SeminarioIA was writing it; it was kept as it is and this result was not saved</source>
        <translation>{path} apareció mientras SeminarioIA lo escribía; se ha dejado como estaba y este resultado no se ha guardado</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>the folder {folder} does not exist</source>
        <translation>la carpeta {folder} no existe</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>the folder {folder} does not exist (any more)</source>
        <translation>la carpeta {folder} ya no existe</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>not enough space to write {name} in {folder}; nothing was written there</source>
        <translation>no hay espacio suficiente para escribir {name} en {folder}; no se ha escrito nada allí</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>{name} grew larger than one file may be in {folder} (FAT32 stops at 4 GiB); nothing was written there</source>
        <translation>{name} superó el tamaño máximo de un archivo en {folder} (FAT32 se detiene en 4 GiB); no se ha escrito nada allí</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>{folder} is on a read-only disk</source>
        <translation>{folder} está en un disco de solo lectura</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>no permission to write in {folder}</source>
        <translation>no hay permiso para escribir en {folder}</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>cannot write {name} in {folder}: {reason}</source>
        <translation>no se puede escribir {name} en {folder}: {reason}</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>model file not found: {path}</source>
        <translation>no se encuentra el archivo del modelo: {path}</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>the built-in model is not installed ({path})</source>
        <translation>el modelo incorporado no está instalado ({path})</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>the {role} folder does not exist: {folder}</source>
        <translation>la carpeta {role} no existe: {folder}</translation>
    </message>
    <message>
        <location line="+32"/>
        <source>Unexpected error</source>
        <translation>Error inesperado</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Something unexpected went wrong. The details below may help to report it.</source>
        <translation>Algo inesperado salió mal. Los detalles de abajo pueden ayudar a informar del problema.</translation>
    </message>
    <message>
        <location line="+24"/>
        <source>Technical details: {text}</source>
        <translation>Detalles técnicos: {text}</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>noisy</source>
        <translation>con ruido</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>clean</source>
        <translation>limpia</translation>
    </message>
    <message>
        <location line="+73"/>
        <source>SeminarioIA hit an unexpected problem</source>
        <translation>SeminarioIA encontró un problema inesperado</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Your original recordings are never modified. Saving your work and restarting SeminarioIA is recommended.</source>
        <translation>Sus grabaciones originales nunca se modifican. Se recomienda guardar su trabajo y reiniciar SeminarioIA.</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>The details were written to:
{path}</source>
        <translation>Los detalles se guardaron en:
{path}</translation>
    </message>
</context>
</TS>
