from pimsyn.hw.schedule_problem import LayerSchedule, ScheduleError, ScheduleProblem, ScheduleResult
