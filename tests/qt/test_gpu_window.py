"""The window and the GPU: devices are found off the UI thread and Auto's reason reaches the log
(the offer to retry on the CPU is tested in test_main_window.py beside the other retries)."""

from __future__ import annotations

import threading

from cfdesk.core.config import TrainConfig
from cfdesk.core.training.device import DeviceInfo, cpu_device
from cfdesk.core.training.reports import FitStarted
from cfdesk.qt import about, main_window
from cfdesk.qt.panels.training_monitor import TrainingMonitor
from cfdesk.qt.settings import AppSettings

from .test_main_window import TIMEOUT

FAKE_GPU = DeviceInfo("cuda:0", "Fake GPU (cuda:0)")


def test_gpus_are_found_off_the_ui_thread_and_the_saved_gpu_is_chosen(
    qtbot, make_window, monkeypatch
):
    threads: list[threading.Thread] = []
    release = threading.Event()

    def list_devices():
        threads.append(threading.current_thread())
        release.wait(10)  # naming a CUDA GPU starts CUDA: a second or more
        return [FAKE_GPU, cpu_device()]

    monkeypatch.setattr(main_window, "list_devices", list_devices)
    settings = AppSettings()
    settings.set_train_config(TrainConfig(device="cuda:0"))
    settings.sync()
    window = make_window()
    assert window.form.device.findData("cpu") >= 0  # the CPU is offered at once
    looking = window.show_about()
    texts = " ".join(label.text() for label in looking.tabs.widget(0).findChildren(about.QLabel))
    assert "looking for GPUs" in texts and "CPU" in texts
    looking.close()
    release.set()
    qtbot.waitUntil(lambda: window.form.device.findData("cuda:0") >= 0, timeout=TIMEOUT)
    assert threads and threads[0] is not threading.main_thread()
    assert window.form.device.currentData() == "cuda:0"  # the saved choice, once listed
    dialog = window.show_about()
    texts = " ".join(label.text() for label in dialog.tabs.widget(0).findChildren(about.QLabel))
    assert "Fake GPU (cuda:0)" in texts and "looking" not in texts
    dialog.close()


def test_the_log_says_why_auto_chose_the_device(qtbot):
    monitor = TrainingMonitor()
    qtbot.addWidget(monitor)
    note = "Auto: training on the CPU, not the GPU (cuda): 80,000 training ratings are fewer"
    monitor.on_fit_started(
        FitStarted("cpu", "CPU", "dotbias", 80_000, 0, 0, {}, 1024, 1, 0.01, "lr", 1, 79, note)
    )
    assert note in monitor.log.toPlainText()
