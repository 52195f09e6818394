from __future__ import annotations

from django.urls import path

from tpbis.elis import views, views_author, views_region

app_name = "elis"

urlpatterns = [
    path("", views.home, name="home"),
    path("kursus/<slug:slug>/", views.course, name="course"),
    path("kursus/<slug:slug>/pelajaran/<int:pk>/", views.lesson, name="lesson"),
    path("kursus/<slug:slug>/tes/<int:pk>/", views.quiz, name="quiz"),
    path("kursus/<slug:slug>/sertifikat.pdf", views.certificate_download, name="certificate"),
    path("percobaan/<int:pk>/", views.attempt, name="attempt"),
    path("berkas/<int:pk>/", views.asset, name="asset"),
    path("sertifikat/<str:code>/", views.verify, name="verify"),
    path("peserta/", views_region.learners, name="learners"),
    path("peserta/ekspor.<str:fmt>", views_region.learners_export, name="learners_export"),
    path("kelola/", views_author.course_list, name="author_list"),
    path("kelola/baru/", views_author.course_new, name="author_course_new"),
    path("kelola/impor/", views_author.course_import_json, name="author_import"),
    path("kelola/<int:pk>/", views_author.course_edit, name="author_course"),
    path("kelola/<int:pk>/ekspor.json", views_author.course_export_json, name="author_export"),
    path("kelola/<int:pk>/terbitkan/", views_author.course_publish, name="author_publish"),
    path("kelola/<int:pk>/versi-baru/", views_author.course_new_version, name="author_new_version"),
    path("kelola/<int:pk>/berkas/", views_author.asset_upload, name="author_asset"),
    path("kelola/<int:course_pk>/modul/baru/", views_author.module_edit, name="author_module_new"),
    path("kelola/modul/<int:pk>/", views_author.module_edit, name="author_module"),
    path("kelola/modul/<int:module_pk>/pelajaran/baru/", views_author.lesson_edit, name="author_lesson_new"),
    path("kelola/pelajaran/<int:pk>/", views_author.lesson_edit, name="author_lesson"),
    path("kelola/pelajaran/<int:pk>/pratinjau/", views_author.lesson_preview, name="author_preview"),
    path("kelola/tes/<int:pk>/", views_author.quiz_edit, name="author_quiz"),
    path("kelola/tes/<int:quiz_pk>/soal/baru/", views_author.question_edit, name="author_question_new"),
    path("kelola/soal/<int:pk>/", views_author.question_edit, name="author_question"),
    path("kelola/<str:kind>/<int:pk>/geser/", views_author.item_move, name="author_move"),
    path("kelola/<str:kind>/<int:pk>/hapus/", views_author.item_delete, name="author_delete"),
]
